// SPDX-License-Identifier: GPL-2.0
/*
 * Everything in the run area is written by the kernel on behalf of the
 * guest, so it is validated before use: a bogus size or count must not make
 * the device model read or write outside the mapping.
 */
#include <errno.h>
#include <signal.h>
#include <stdio.h>
#include <sys/ioctl.h>

#include "exitcodes.h"
#include "signals.h"
#include "util.h"
#include "vcpu_loop.h"

typedef int (*exit_handler_t)(struct vcpu *vcpu, struct machine *m);

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

static uint32_t load_le(const uint8_t *p, unsigned int size)
{
	uint32_t v = 0;
	unsigned int i;

	for (i = 0; i < size; i++)
		v |= (uint32_t)p[i] << (8 * i);
	return v;
}

static void store_le(uint8_t *p, unsigned int size, uint32_t v)
{
	unsigned int i;

	for (i = 0; i < size; i++)
		p[i] = v >> (8 * i);
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
	for (i = 0; i < io.count && !m->exit_requested; i++) {
		uint8_t *p = data + (size_t)i * io.size;

		if (io.direction == VIREO_IO_OUT)
			ioport_write(&m->pio, io.port, io.size,
				     load_le(p, io.size));
		else
			store_le(p, io.size,
				 ioport_read(&m->pio, io.port, io.size));
	}
	return m->exit_requested ? m->exit_status : VCPU_CONTINUE;
}

static void report_mmio(const struct vireo_run_mmio *mmio)
{
	unsigned long long gpa = mmio->phys_addr, value;
	const char *dir = mmio->is_write ? "write" : "read";

	if (mmio->is_fetch) {
		pr_err("unhandled MMIO fetch at 0x%llx: no RAM or ROM there\n",
		       gpa);
	} else if (mmio->len == 0 || mmio->len > sizeof(mmio->data)) {
		pr_err("unhandled MMIO %s at 0x%llx (size not decoded)\n",
		       dir, gpa);
	} else if (!mmio->is_write) {
		pr_err("unhandled MMIO read at 0x%llx, %u bytes\n", gpa,
		       mmio->len);
	} else {
		value = load_le(mmio->data, mmio->len > 4 ? 4 : mmio->len);
		if (mmio->len > 4)
			value |= (unsigned long long)load_le(mmio->data + 4,
							     mmio->len - 4) << 32;
		pr_err("unhandled MMIO write at 0x%llx, %u bytes, value 0x%llx\n",
		       gpa, mmio->len, value);
	}
}

/*
 * No MMIO device exists yet: an MMIO exit is a guest touching a hole or
 * writing to the ROM.
 */
static int handle_mmio(struct vcpu *vcpu, struct machine *m)
{
	const struct vireo_run_mmio mmio = vcpu->run->mmio;

	report_mmio(&mmio);
	report_guest_rip(vcpu);
	return EXIT_CODE_UNHANDLED;
}

/* Nothing can raise an interrupt yet, so a halted vCPU sleeps forever. */
static int handle_hlt(struct vcpu *vcpu, struct machine *m)
{
	pr_err("guest halted (no interrupt source exists to wake it)\n");
	return EXIT_CODE_HALTED;
}

/* The kernel has already reset the vCPU: its registers tell nothing now. */
static int handle_shutdown(struct vcpu *vcpu, struct machine *m)
{
	pr_err("guest shutdown: the vCPU triple-faulted\n");
	return EXIT_CODE_SHUTDOWN;
}

static const char *internal_error_name(uint32_t suberror)
{
	static const char *const names[] = {
		[VIREO_INTERNAL_ERROR_UNHANDLED_EXIT] = "unhandled hardware exit",
		[VIREO_INTERNAL_ERROR_ENTRY_FAILED] = "VM entry failed",
		[VIREO_INTERNAL_ERROR_GUEST_MEMORY] = "guest memory access failed",
		[VIREO_INTERNAL_ERROR_EMULATION] = "instruction emulation failed",
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

static const char *signal_name(int sig)
{
	switch (sig) {
	case SIGINT:
		return "SIGINT";
	case SIGTERM:
		return "SIGTERM";
	case SIGHUP:
		return "SIGHUP";
	default:
		return "a signal";
	}
}

int vcpu_run_loop(struct vcpu *vcpu, struct machine *m)
{
	int ret;

	for (;;) {
		if (signals_pending()) {
			pr_err("stopping the VM: received %s\n",
			       signal_name(signals_pending()));
			return EXIT_CODE_SIGNAL;
		}
		if (ioctl(vcpu->fd, VIREO_RUN, 0) < 0) {
			/* Another signal, or ours: the check above decides. */
			if (errno == EINTR)
				continue;
			pr_err("VIREO_RUN failed: %m\n");
			report_guest_rip(vcpu);
			return EXIT_CODE_INTERNAL;
		}
		ret = vcpu_handle_exit(vcpu, m);
		if (ret != VCPU_CONTINUE)
			return ret;
	}
}
