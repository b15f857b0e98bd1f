// SPDX-License-Identifier: GPL-2.0
/*
 * Everything in the run area is written by the kernel on behalf of the
 * guest, so it is validated before use: a bogus size or count must not make
 * the device model read or write outside the mapping.
 */
#include <errno.h>
#include <pthread.h>
#include <stdio.h>
#include <string.h>
#include <sys/ioctl.h>

#include "exitcodes.h"
#include "le.h"
#include "pause.h"
#include "pc_layout.h"
#include "util.h"
#include "vcpu_loop.h"
#include "vcpus.h"

typedef int (*exit_handler_t)(struct vcpu *vcpu, struct machine *m);

/*
 * Has something asked for the VM to end?  Written under the machine lock;
 * read without it here, so atomically: the status is written first.
 */
static bool vm_ending(struct machine *m)
{
	return __atomic_load_n(&m->exit_requested, __ATOMIC_ACQUIRE);
}

/* After an exit was handled: go on, or end with the status. */
static int continue_or_end(struct machine *m)
{
	return vm_ending(m) ? m->exit_status : VCPU_CONTINUE;
}

/* Where the guest was, for the messages of fatal exits (if it can be read). */
static void report_guest_rip(struct vcpu *vcpu)
{
	struct vireo_sregs sregs;
	struct vireo_regs regs;

	if (ioctl(vcpu->fd, VIREO_GET_SREGS, &sregs) < 0 ||
	    ioctl(vcpu->fd, VIREO_GET_REGS, &regs) < 0)
		return;
	pr_err("vCPU %u was at CS=0x%04x (base 0x%llx) RIP=0x%llx RFLAGS=0x%llx\n",
	       vcpu->id, sregs.cs.selector, (unsigned long long)sregs.cs.base,
	       (unsigned long long)regs.rip, (unsigned long long)regs.rflags);
}

static int io_exit_valid(const struct vireo_run_io *io, size_t room)
{
	if (io->size != 1 && io->size != 2 && io->size != 4)
		return 0;
	if (io->direction != VIREO_IO_OUT && io->direction != VIREO_IO_IN)
		return 0;
	if (io->count == 0 || (!io->string && io->count != 1))
		return 0;
	return io->count <= room / io->size;
}

/*
 * IN/OUT and INS/OUTS: count elements of size bytes at the data offset, all
 * to the same port.  For IN the data must be in place before the next RUN,
 * which completes the instruction.
 */
static int handle_io(struct vcpu *vcpu, struct machine *m)
{
	const struct vireo_run_io io = vcpu->run->io;
	uint8_t *data = (uint8_t *)vcpu->run + VIREO_RUN_IO_DATA_OFFSET;
	uint32_t i;

	if (!io_exit_valid(&io, vcpu->run_size - VIREO_RUN_IO_DATA_OFFSET)) {
		pr_err("malformed I/O exit: port 0x%x size %u dir %u count %u%s\n",
		       io.port, io.size, io.direction, io.count,
		       io.string ? " string" : "");
		return EXIT_CODE_INTERNAL;
	}
	/* The bus takes each device's lock (bus.h). */
	for (i = 0; i < io.count && !vm_ending(m); i++) {
		uint8_t *p = data + (size_t)i * io.size;

		if (io.direction == VIREO_IO_OUT)
			ioport_write(&m->pio, io.port, io.size,
				     le_get(p, io.size));
		else
			le_put(p, io.size,
				 ioport_read(&m->pio, io.port, io.size));
	}
	return continue_or_end(m);
}

static void report_mmio(const struct vireo_run_mmio *mmio)
{
	unsigned long long gpa = mmio->phys_addr;

	if (mmio->is_fetch)
		pr_err("unhandled MMIO fetch at 0x%llx: no RAM or ROM there\n",
		       gpa);
	else
		pr_err("unhandled MMIO %s at 0x%llx (instruction not decoded)\n",
		       mmio->is_write ? "write" : "read", gpa);
}

/*
 * Accesses no device claims are what a PC does with them (reads float to
 * all ones, writes vanish), so the guest goes on; they are worth a line
 * each, but a guest probing or looping must not flood stderr: one line
 * per address, for the first UNCLAIMED_LOG_MAX addresses, then one to
 * say the rest go unreported.  Any vCPU thread may log: the record has a
 * lock of its own.
 */
#define UNCLAIMED_LOG_MAX	32

static pthread_mutex_t unclaimed_lock = PTHREAD_MUTEX_INITIALIZER;

static void log_unclaimed_locked(const struct vireo_run_mmio *mmio,
				 uint64_t value)
{
	static uint64_t seen[UNCLAIMED_LOG_MAX];
	static unsigned int nr_seen;
	static bool told_full;
	unsigned int i;

	/*
	 * Reads in the adapter-ROM window are how a PC guest looks for
	 * option ROMs (Linux's probe_roms() reads a signature every 2 KiB):
	 * all ones, "no ROM here", is the answer, not a missing device.
	 */
	if (!mmio->is_write && mmio->phys_addr >= PC_OPTION_ROM_START &&
	    mmio->phys_addr < PC_OPTION_ROM_END)
		return;
	for (i = 0; i < nr_seen; i++)
		if (seen[i] == mmio->phys_addr)
			return;
	if (nr_seen == UNCLAIMED_LOG_MAX) {
		if (!told_full)
			pr_err("more unclaimed MMIO addresses: not reported\n");
		told_full = true;
		return;
	}
	seen[nr_seen++] = mmio->phys_addr;
	if (mmio->is_write)
		pr_err("MMIO write to unclaimed 0x%llx (%u bytes, value 0x%llx) dropped\n",
		       (unsigned long long)mmio->phys_addr, mmio->len,
		       (unsigned long long)value);
	else
		pr_err("MMIO read from unclaimed 0x%llx (%u bytes) gives all ones\n",
		       (unsigned long long)mmio->phys_addr, mmio->len);
}

static void log_unclaimed(const struct vireo_run_mmio *mmio, uint64_t value)
{
	pthread_mutex_lock(&unclaimed_lock);
	log_unclaimed_locked(mmio, value);
	pthread_mutex_unlock(&unclaimed_lock);
}

static bool mmio_len_valid(uint32_t len)
{
	return len == 1 || len == 2 || len == 4 || len == 8;
}

/*
 * A decoded access (len != 0) goes to the MMIO bus.  For a read the data
 * must be in place before the next RUN, which completes the instruction.
 * One the kernel did not decode (len 0), or an instruction fetch, cannot
 * be completed: the VM ends.
 */
static int handle_mmio(struct vcpu *vcpu, struct machine *m)
{
	struct vireo_run_mmio mmio = vcpu->run->mmio;
	uint64_t value = 0;
	bool claimed;
	int ret;

	if (mmio.is_fetch || mmio.len == 0) {
		report_mmio(&mmio);
		report_guest_rip(vcpu);
		return EXIT_CODE_UNHANDLED;
	}
	if (!mmio_len_valid(mmio.len)) {
		pr_err("malformed MMIO exit: 0x%llx, %u bytes\n",
		       (unsigned long long)mmio.phys_addr, mmio.len);
		return EXIT_CODE_INTERNAL;
	}
	if (mmio.is_write)
		value = le_get(mmio.data, mmio.len);
	if (mmio.is_write)
		claimed = bus_write(&m->mmio, mmio.phys_addr, mmio.len, value);
	else
		claimed = bus_read(&m->mmio, mmio.phys_addr, mmio.len,
				    &value);
	if (!claimed) {
		log_unclaimed(&mmio, value);
		value = ~0ULL;
	}
	ret = continue_or_end(m);
	if (!mmio.is_write) {
		memset(vcpu->run->mmio.data, 0, sizeof(vcpu->run->mmio.data));
		le_put(vcpu->run->mmio.data, mmio.len, value);
	}
	return ret;
}

/*
 * The guest ended a level-triggered interrupt in its local APIC: the
 * interrupt controllers re-arm (IOAPIC Remote IRR, 82093AA datasheet
 * 3.2.4) and send again if the line is still high.
 */
static int handle_eoi(struct vcpu *vcpu, struct machine *m)
{
	uint32_t vector = vcpu->run->eoi.vector;

	if (vector > 0xff) {
		pr_err("malformed EOI exit: vector %u\n", vector);
		return EXIT_CODE_INTERNAL;
	}
	/* Each interrupt controller takes its own lock. */
	irq_eoi(m, vector);
	return continue_or_end(m);
}

/*
 * HLT with interrupts disabled (the kernel sleeps through the other kind):
 * only INIT and SIPI can restart the vCPU, so it is parked in WAIT_SIPI,
 * where RUN sleeps in the kernel.  The VM ends when no vCPU runs.
 */
static int handle_hlt(struct vcpu *vcpu, struct machine *m)
{
	bool all;

	machine_lock(m);
	all = vcpus_stop(vcpu);
	machine_unlock(m);
	if (all) {
		pr_err("guest halted: %s\n", vcpu->set && vcpu->set->nr > 1 ?
		       "every vCPU executed HLT with interrupts disabled" :
		       "HLT with interrupts disabled, nothing can wake it");
		return EXIT_CODE_HALTED;
	}
	if (vcpu_set_mp_state(vcpu, VIREO_MP_STATE_WAIT_SIPI)) {
		pr_err("cannot park halted vCPU %u\n", vcpu->id);
		return EXIT_CODE_INTERNAL;
	}
	return VCPU_CONTINUE;
}

/* The kernel has already reset the vCPU: its registers tell nothing now. */
static int handle_shutdown(struct vcpu *vcpu, struct machine *m)
{
	pr_err("guest shutdown: vCPU %u triple-faulted\n", vcpu->id);
	return EXIT_CODE_SHUTDOWN;
}

static const char *internal_error_name(uint32_t suberror)
{
	static const char *const names[] = {
		[VIREO_INTERNAL_ERROR_UNHANDLED_EXIT] = "unhandled hardware exit",
		[VIREO_INTERNAL_ERROR_ENTRY_FAILED] = "VM entry failed",
		[VIREO_INTERNAL_ERROR_GUEST_MEMORY] = "guest memory access failed",
		[VIREO_INTERNAL_ERROR_EMULATION] = "instruction emulation failed",
		[VIREO_INTERNAL_ERROR_DELIVERY] =
			"MMIO or a ROM write while delivering an event",
	};

	if (suberror < ARRAY_SIZE(names) && names[suberror])
		return names[suberror];
	return "unknown suberror";
}

static int handle_internal_error(struct vcpu *vcpu, struct machine *m)
{
	const struct vireo_run_internal in = vcpu->run->internal;
	uint32_t i, n = in.ndata < ARRAY_SIZE(in.data) ? in.ndata :
			ARRAY_SIZE(in.data);

	pr_err("kernel internal error: suberror %u (%s), %u data words\n",
	       in.suberror, internal_error_name(in.suberror), in.ndata);
	for (i = 0; i < n; i++)
		pr_err("  data[%u] = 0x%016llx\n", i,
		       (unsigned long long)in.data[i]);
	report_guest_rip(vcpu);
	return EXIT_CODE_INTERNAL;
}

/* The signal that interrupted RUN, if any, is seen by the loop. */
static int handle_intr(struct vcpu *vcpu, struct machine *m)
{
	return VCPU_CONTINUE;
}

static int handle_hypercall(struct vcpu *vcpu, struct machine *m)
{
	const struct vireo_run_hypercall hc = vcpu->run->hypercall;

	pr_err("unhandled hypercall nr 0x%llx (args 0x%llx 0x%llx 0x%llx 0x%llx)\n",
	       (unsigned long long)hc.nr, (unsigned long long)hc.args[0],
	       (unsigned long long)hc.args[1], (unsigned long long)hc.args[2],
	       (unsigned long long)hc.args[3]);
	report_guest_rip(vcpu);
	return EXIT_CODE_UNHANDLED;
}

static const exit_handler_t exit_handlers[] = {
	[VIREO_EXIT_IO]			= handle_io,
	[VIREO_EXIT_MMIO]		= handle_mmio,
	[VIREO_EXIT_HLT]		= handle_hlt,
	[VIREO_EXIT_SHUTDOWN]		= handle_shutdown,
	[VIREO_EXIT_INTERNAL_ERROR]	= handle_internal_error,
	[VIREO_EXIT_INTR]		= handle_intr,
	[VIREO_EXIT_HYPERCALL]		= handle_hypercall,
	[VIREO_EXIT_EOI]		= handle_eoi,
};

int vcpu_handle_exit(struct vcpu *vcpu, struct machine *m)
{
	uint32_t reason = vcpu->run->exit_reason;

	if (reason < ARRAY_SIZE(exit_handlers) && exit_handlers[reason])
		return exit_handlers[reason](vcpu, m);
	pr_err("unhandled exit reason %u\n", reason);
	report_guest_rip(vcpu);
	return EXIT_CODE_UNHANDLED;
}

/* The status the VM ends with, once someone asked for its end. */
static int ending_status(struct machine *m)
{
	int status;

	machine_lock(m);
	status = m->exit_status;
	machine_unlock(m);
	return status;
}

int vcpu_run_loop(struct vcpu *vcpu, struct machine *m)
{
	int ret;

	for (;;) {
		machine_vcpu_park(m, vcpu->run);
		if (vm_ending(m))
			return ending_status(m);
		if (ioctl(vcpu->fd, VIREO_RUN, 0) < 0) {
			/* A kick or a stray signal: the check above decides. */
			if (errno == EINTR)
				continue;
			pr_err("VIREO_RUN of vCPU %u failed: %m\n", vcpu->id);
			report_guest_rip(vcpu);
			return EXIT_CODE_INTERNAL;
		}
		if (vcpu->stopped) {
			/* Restarted by INIT and SIPI. */
			machine_lock(m);
			vcpus_resume(vcpu);
			machine_unlock(m);
		}
		ret = vcpu_handle_exit(vcpu, m);
		if (ret != VCPU_CONTINUE)
			return ret;
	}
}
