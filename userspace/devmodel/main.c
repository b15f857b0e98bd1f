// SPDX-License-Identifier: GPL-2.0
/*
 * vireo-vm: the Vireo device model, one process per VM.
 *
 *	vireo-vm --kernel FILE [--initrd FILE] [--append CMDLINE]
 *		 [--mem SIZE] [--cpus N] [--device SPEC]... [--no-reboot]
 *	vireo-vm --rom FILE [--mem SIZE] [--device SPEC]... [--no-reboot]
 *
 * Boots a Linux or Multiboot kernel directly on N vCPUs (boot_pc.h), or a
 * 64 KiB BIOS-style ROM at the reset vector on one, with the devices
 * linked into the binary (dev/).  The exit status tells how the VM ended:
 * see exitcodes.h and --help.
 *
 * main() only wires things together: options, guest memory and what it
 * holds, the machine and its devices, the kernel objects, then one thread
 * per vCPU (vcpus.h) while this one waits for the end; a guest reset
 * starts the machine again in this process (restart_vm()).
 */
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>
#include <sys/stat.h>

#include "boot_pc.h"
#include "console.h"
#include "console_out.h"
#include "control.h"
#include "devices.h"
#include "evloop.h"
#include "exitcodes.h"
#include "machine.h"
#include "options.h"
#include "additions.h"
#include "pause.h"
#include "props_keep.h"
#include "release.h"
#include "requests.h"
#include "rom.h"
#include "seccomp.h"
#include "signals.h"
#include "util.h"
#include "vcpu_loop.h"
#include "vcpus.h"
#include "vm.h"

struct vm_process {
	struct options opt;
	struct vm vm;
	struct machine m;
	struct vcpus vcpus;
	struct boot_cpu_state boot;	/* vCPU 0's, with --kernel */
	struct control *control;	/* --control PATH, or NULL */
	/*
	 * With a control socket and no terminal or pipe on stdin, the
	 * UART reads a pipe whose write end attached consoles type into.
	 */
	int console_in;
	int props_fd;		/* the kept guest properties, or -1 */
};

static int load_rom(struct vm *vm, const char *path)
{
	off_t size;
	int err = rom_load(path, vm->rom, &size);

	if (err) {
		rom_report_error(path, err, size);
		return EXIT_CODE_BAD_ROM;
	}
	return 0;
}

/* What guest RAM (or the ROM) holds before the first instruction. */
static int load_guest(struct vm_process *v)
{
	const struct boot_pc b = {
		.kernel = v->opt.kernel, .initrd = v->opt.initrd,
		.cmdline = v->opt.append, .nr_cpus = v->opt.cpus,
	};

	if (v->opt.rom)
		return load_rom(&v->vm, v->opt.rom);
	/* Kept open, so that a reset loads them again without open(). */
	if (boot_keep_open(v->opt.kernel) ||
	    (v->opt.initrd && boot_keep_open(v->opt.initrd)))
		return EXIT_CODE_BAD_KERNEL;
	return boot_pc_load(&v->vm, &b, &v->boot);
}

/* The event loop exists before the devices: they arm timers at init. */
static int setup_machine(struct vm_process *v)
{
	struct machine *m = &v->m;
	char why[200] = "";
	int err;

	machine_init(m, STDOUT_FILENO);
	m->console_in_fd = console_input_fd();
	m->console_virtio = v->opt.vconsole;
	if (m->console_in_fd < 0 && (v->opt.control || v->opt.runtime)) {
		int p[2];

		if (pipe2(p, O_CLOEXEC | O_NONBLOCK)) {
			pr_err("cannot make the console's input pipe: %m\n");
			return EXIT_CODE_HOST;
		}
		m->console_in_fd = p[0];
		v->console_in = p[1];
	}
	m->ram_size = v->opt.mem;
	m->nr_cpus = v->opt.cpus;
	m->signal_msi = vm_signal_msi;
	m->msi_opaque = &v->vm;
	m->ioeventfd = vm_ioeventfd;
	m->set_guest_time = vm_set_guest_time;
	m->shutdown_request = vm_power_button;
	m->guest_time_opaque = &v->vm;
	m->mem = &v->vm.mem;
	m->evloop = evloop_create(m);
	if (!m->evloop) {
		pr_err("cannot create the device event loop: %m\n");
		return EXIT_CODE_HOST;
	}
	if (v->opt.no_vmmdev) {
		static const char *const no_vmmdev[] = { "vmmdev" };

		m->omit_devices = no_vmmdev;
		m->nr_omit_devices = ARRAY_SIZE(no_vmmdev);
	}
	err = devices_create(m, v->opt.devices, v->opt.nr_devices, why,
			     sizeof(why));
	if (err) {
		pr_err("device %s\n", why);
		return err == -EINVAL || err == -EBUSY ? EXIT_CODE_USAGE :
		       EXIT_CODE_HOST;
	}
	return 0;
}

static int setup_vcpu0(struct vm_process *v)
{
	struct vcpu *vcpu0 = &v->vcpus.vcpu[0];

	if (v->opt.rom)
		return vcpu_reset(vcpu0);
	return vcpu_set_state(vcpu0, &v->boot.regs, &v->boot.sregs);
}

/* The VM in the kernel, with guest memory as its slots. */
static int open_kernel_vm(struct vm_process *v)
{
	int ret = vm_open(&v->vm);

	return ret ? ret : vm_map_memory(&v->vm);
}

/* The vCPUs, vCPU 0 at the boot state and the others waiting for SIPI. */
static int make_vcpus(struct vm_process *v)
{
	int ret = vcpus_create(&v->vcpus, &v->vm, v->opt.cpus,
			       v->opt.paravirt_kvm);

	return ret ? ret : setup_vcpu0(v);
}

/* Everything that needs no kernel first, so option and file errors show. */
static int setup_vm(struct vm_process *v)
{
	int ret = signals_init();

	if (ret) {
		pr_err("cannot set up signal handling: %s\n", strerror(-ret));
		return EXIT_CODE_HOST;
	}
	ret = vm_alloc_memory(&v->vm, v->opt.mem, v->opt.rom ? ROM_SIZE : 0);
	if (!ret)
		ret = load_guest(v);
	if (!ret)
		ret = setup_machine(v);
	if (!ret)
		ret = open_kernel_vm(v);
	if (!ret)
		ret = make_vcpus(v);
	return ret;
}

static int run_vm(struct vm_process *v)
{
	int err;

	err = evloop_start(v->m.evloop);
	if (err) {
		pr_err("cannot start the device event loop: %s\n",
		       strerror(-err));
		return EXIT_CODE_HOST;
	}
	return vcpus_run(&v->vcpus, &v->m, vcpu_run_loop);
}

/*
 * Raw mode for a terminal on stdin, once for the life of the process (a
 * reset keeps it), and the time zone read: both before the system call
 * filter, which allows neither the terminal requests nor the open.
 */
static void start_console(void)
{
	int err = console_raw_start();

	if (err)
		pr_err("console input: cannot put the terminal in raw mode: %s\n",
		       strerror(-err));
	tzset();
}

/*
 * A guest reset (the i8042's reset line, 0xCF9, ACPI's reset register):
 * the machine starts again in this process, as a PC does.  The kernel's
 * side is made anew (a new VM around the same guest memory), so every
 * vCPU, local APIC, MSR and paravirtual clock is at its power-on state and
 * nothing the old guest set up (a kvm-clock page, say) is written to
 * memory the new one owns.  The devices are reset in place (devices.h),
 * the kernel and initrd (or the ROM) loaded again, the vCPUs made again.
 */
static int restart_vm(struct vm_process *v)
{
	struct machine *m = &v->m;
	int ret;

	/*
	 * The control thread may ask for an end meanwhile (quit wins over a
	 * reset, machine.c): under the lock, and heeded.
	 */
	machine_lock(m);
	ret = m->exit_status;
	m->exit_requested = false;
	m->exit_status = 0;
	machine_unlock(m);
	if (ret != EXIT_CODE_RESET)
		return ret;
	/*
	 * Devices with threads of their own (virtio's I/O threads and
	 * workers) are still at work on the old guest's queues: a reset
	 * stops them before its memory is reloaded, so that none of it is
	 * written into the new guest's.  They are reset again below.
	 */
	devices_reset(m);
	vcpus_destroy(&v->vcpus);
	vm_close(&v->vm);
	/* Nothing may answer the old guest into the new one's memory. */
	if (m->additions)
		m->additions->guest_gone(m->additions_opaque);
	/* A ROM is read-only to the guest: it is still as it was loaded. */
	ret = v->opt.rom ? 0 : load_guest(v);
	if (!ret)
		ret = open_kernel_vm(v);
	/* With the new VM there: a device that signals at reset reaches it. */
	if (!ret)
		devices_reset(m);
	if (!ret)
		ret = make_vcpus(v);
	return ret;
}

#define RESETS_LOGGED	10

/* Run until the guest powers off or fails; a reset starts it again. */
static int run_machine(struct vm_process *v)
{
	unsigned long resets = 0;
	int ret;

	for (;;) {
		ret = run_vm(v);
		/*
		 * The vCPU threads are joined: nothing runs but the event
		 * loop.  No pause or resume meanwhile (pause.h).
		 */
		pthread_mutex_lock(&v->m.run_lock);
		machine_end_pause(&v->m);
		evloop_stop(v->m.evloop);
		if (ret != EXIT_CODE_RESET || v->opt.no_reboot) {
			pthread_mutex_unlock(&v->m.run_lock);
			machine_notify(&v->m, "stopping", ret);
			return ret;
		}
		resets++;
		/* A guest resetting in a loop must not fill the log. */
		if (resets <= RESETS_LOGGED || !(resets % 1000))
			pr_info("the guest reset the machine: starting it again (reset %lu%s)\n",
				resets, resets == RESETS_LOGGED ?
				"; from here on every 1000th is logged" : "");
		machine_notify(&v->m, "reset", 0);
		ret = restart_vm(v);
		pthread_mutex_unlock(&v->m.run_lock);
		if (ret) {
			machine_notify(&v->m, "stopping", ret);
			return ret;
		}
		machine_notify(&v->m, "running", 0);
	}
}

#define CONSOLE_FLUSH_NS	(2ULL * 1000 * 1000 * 1000)

/*
 * The guest's last output, to a reader that still reads; one that does
 * not holds the exit up for CONSOLE_FLUSH_NS at most.
 */
static void flush_console(struct machine *m)
{
	uint64_t dropped;

	if (!m->console)
		return;
	/* The vCPUs are gone: no THRE interrupt for anyone. */
	console_out_on_room(m->console, NULL, NULL);
	console_out_flush(m->console, CONSOLE_FLUSH_NS);
	dropped = console_out_dropped(m->console);
	if (dropped)
		pr_err("console: %llu bytes of the guest's output were dropped "
		       "(the reader was gone, or did not keep up)\n",
		       (unsigned long long)dropped);
}

static int lockdown(struct vm_process *v)
{
	struct seccomp_extra x = { 0 };

	if (v->control)
		control_seccomp(v->control, &x);
	return seccomp_lockdown(&v->m, &x);
}

/*
 * The control socket, served while the process has one thread: at
 * --control PATH, or (--runtime DIR) at DIR/UUID.sock beside the state
 * file DIR/UUID.json that vmctl reads.
 */
static int start_control(struct vm_process *v)
{
	struct control_info info = {
		.name = v->opt.vm_name, .uuid = v->opt.vm_uuid,
		.vcpus = v->opt.cpus, .memory = v->opt.mem,
	};
	char path[256], state[64], config[PATH_MAX], config_id[48];
	struct stat st;
	const char *where = v->opt.control;
	struct control *c;

	if (v->opt.runtime) {
		snprintf(state, sizeof(state), "%s.json", v->opt.vm_uuid);
		if (snprintf(path, sizeof(path), "%s/%s.sock", v->opt.runtime,
			     v->opt.vm_uuid) >= (int)sizeof(path)) {
			pr_err("--runtime %s: path too long\n", v->opt.runtime);
			return EXIT_CODE_USAGE;
		}
		info.state_name = state;
		where = path;
	}
	if (v->opt.config && realpath(v->opt.config, config))
		info.config = config;
	if (v->opt.config && !stat(v->opt.config, &st)) {
		snprintf(config_id, sizeof(config_id), "%llu:%llu",
			 (unsigned long long)st.st_dev,
			 (unsigned long long)st.st_ino);
		info.config_id = config_id;
	}
	info.console_in = v->console_in;
	v->console_in = -1;	/* the control's now */
	c = control_start(&v->m, where, &info);
	v->control = c;
	return c ? 0 : EXIT_CODE_HOST;
}

/*
 * stdin, stdout and stderr exist, if only as /dev/null: a closed one
 * would be the number of the next fd opened (the event loop's, the VM's),
 * which the console would then read or write.
 */
static void open_std_fds(void)
{
	int fd;

	for (fd = STDIN_FILENO; fd <= STDERR_FILENO; fd++) {
		if (fcntl(fd, F_GETFD) >= 0 || errno != EBADF)
			continue;
		if (open("/dev/null", O_RDWR) != fd)
			exit(EXIT_CODE_HOST);
	}
}

int main(int argc, char **argv)
{
	static struct vm_process v = {
		.vm = { .dev_fd = -1, .vm_fd = -1 },
		.props_fd = -1,
	};
	int ret;

	open_std_fds();
	switch (options_parse(argc, argv, &v.opt)) {
	case OPTIONS_HELP:
		options_usage(stdout);
		return 0;
	case OPTIONS_VERSION:
		release_print_version("vireo-vm");
		return 0;
	case OPTIONS_ERROR:
		return EXIT_CODE_USAGE;
	}
	if (v.opt.check)
		return 0;
	ret = setup_vm(&v);
	/* A VM with a folder keeps its guest properties there. */
	if (!ret)
		v.props_fd = props_keep_open(&v.m, v.opt.config);
	if (!ret)
		start_console();
	if (!ret && (v.opt.control || v.opt.runtime))
		ret = start_control(&v);
	/* From here on the process opens nothing and makes no new kind of call. */
	if (!ret && !v.opt.no_seccomp && lockdown(&v))
		ret = EXIT_CODE_HOST;
	if (!ret)
		ret = run_machine(&v);
	/*
	 * Nobody asks anything of the devices from here on, and their own
	 * threads (virtio's) end before the control socket and the console's
	 * buffer, which they may write to, are taken down.
	 */
	devices_stop(&v.m);
	control_stop(v.control);
	evloop_stop(v.m.evloop);
	props_keep_save(&v.m, v.props_fd);
	flush_console(&v.m);
	vcpus_destroy(&v.vcpus);
	devices_destroy(&v.m);
	vm_destroy(&v.vm);
	evloop_destroy(v.m.evloop);
	machine_destroy(&v.m);
	console_restore();
	/* A VM run by vmctl: its log says how it ended. */
	if (v.opt.runtime)
		pr_info("exit status %d\n", ret);
	return ret;
}
