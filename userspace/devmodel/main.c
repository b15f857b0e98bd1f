// SPDX-License-Identifier: GPL-2.0
/*
 * vireo-vm: the Vireo device model, one process per VM.
 *
 *	vireo-vm --rom FILE [--mem SIZE]
 *
 * Boots a 64 KiB BIOS-style ROM at the reset vector on one vCPU, with the
 * devices linked into the binary (dev/).  The exit status tells how the VM
 * ended: see exitcodes.h and --help.
 *
 * main() only wires things together: options, guest memory and the ROM,
 * the machine and its devices, the kernel objects, then the vCPU loop.
 */
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "devices.h"
#include "exitcodes.h"
#include "machine.h"
#include "memsize.h"
#include "rom.h"
#include "signals.h"
#include "util.h"
#include "vcpu.h"
#include "vcpu_loop.h"
#include "vm.h"

struct options {
	const char *rom;
	uint64_t mem;
};

static void usage(FILE *f)
{
	fprintf(f,
		"Usage: vireo-vm --rom FILE [--mem SIZE]\n"
		"\n"
		"Run a VM on /dev/vireo (the vireo.ko module) with one vCPU that starts at\n"
		"the x86 reset vector in real mode.\n"
		"\n"
		"  -r, --rom FILE   64 KiB BIOS-style ROM image, mapped read-only at\n"
		"                   0xF0000-0xFFFFF and 0xFFFF0000-0xFFFFFFFF\n"
		"  -m, --mem SIZE   guest RAM at address 0: bytes, or with a K, M or G\n"
		"                   suffix; 1M to 3584M, a multiple of 4K (default 16M)\n"
		"  -h, --help       show this help\n"
		"\n"
		"Devices (the UART's output goes to stdout; unclaimed ports read as\n"
		"all ones and ignore writes):\n");
	devices_describe(f, "  ");
	fprintf(f,
		"\n"
		"Exit status:\n"
		"  0    the guest halted (HLT; nothing can wake it yet)\n"
		"  odd  the guest wrote V to port 0xF4: (V << 1) | 1, low 8 bits only\n"
		"  2    usage error\n"
		"  4    cannot open /dev/vireo (module not loaded, no AMD-V/VT-x)\n"
		"  6    bad ROM file (unreadable, or not exactly 65536 bytes)\n"
		"  8    guest shutdown (triple fault)\n"
		"  10   unhandled exit (MMIO, hypercall, unknown exit reason)\n"
		"  12   kernel internal error\n"
		"  14   terminated by SIGINT, SIGTERM or SIGHUP\n"
		"  16   API version mismatch between vireo-vm and vireo.ko\n"
		"  18   host failure setting up the VM (memory, VM, slot, vCPU)\n");
}

static int usage_error(const char *msg, const char *arg)
{
	pr_err("%s%s\n", msg, arg ? arg : "");
	fprintf(stderr, "Try 'vireo-vm --help' for more information.\n");
	return EXIT_CODE_USAGE;
}

/* Returns -1 to go on, or the exit status (0 after --help). */
static int parse_options(int argc, char **argv, struct options *opt)
{
	static const struct option longopts[] = {
		{ "rom",  required_argument, NULL, 'r' },
		{ "mem",  required_argument, NULL, 'm' },
		{ "help", no_argument,       NULL, 'h' },
		{ NULL, 0, NULL, 0 },
	};
	int c, err;

	opt->rom = NULL;
	opt->mem = MEMSIZE_DEFAULT;
	opterr = 0;	/* our messages carry the "vireo-vm: " prefix */
	while ((c = getopt_long(argc, argv, ":r:m:h", longopts, NULL)) != -1) {
		switch (c) {
		case 'r':
			opt->rom = optarg;
			break;
		case 'm':
			err = memsize_parse(optarg, &opt->mem);
			if (err != MEMSIZE_OK) {
				pr_err("--mem %s: %s\n", optarg,
				       memsize_strerror(err));
				return EXIT_CODE_USAGE;
			}
			break;
		case 'h':
			usage(stdout);
			return 0;
		case ':':
			return usage_error("missing argument for ",
					   argv[optind - 1]);
		default:
			return usage_error("unknown option ",
					   argv[optind - 1]);
		}
	}
	if (optind < argc)
		return usage_error("unexpected argument: ", argv[optind]);
	if (!opt->rom)
		return usage_error("--rom FILE is required", NULL);
	return -1;
}

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

static int setup_machine(struct machine *m)
{
	const char *failed = "?";
	int err;

	machine_init(m, STDOUT_FILENO);
	err = devices_init(m, &failed);
	if (err) {
		pr_err("device init %s failed: %s\n", failed,
		       strerror(-err));
		return EXIT_CODE_HOST;
	}
	return 0;
}

/* Everything that needs no kernel first, so option and ROM errors show. */
static int run_vm(const struct options *opt, struct vm *vm,
		  struct vcpu *vcpu, struct machine *m)
{
	int ret;

	if (signals_init() < 0) {
		pr_err("sigaction: %m\n");
		return EXIT_CODE_HOST;
	}
	ret = vm_alloc_memory(vm, opt->mem);
	if (!ret)
		ret = load_rom(vm, opt->rom);
	if (!ret)
		ret = setup_machine(m);
	if (!ret)
		ret = vm_open(vm);
	if (!ret)
		ret = vm_map_memory(vm);
	if (!ret)
		ret = vcpu_create(vm, vcpu, 0);
	if (!ret)
		ret = vcpu_reset(vcpu);
	if (ret)
		return ret;
	signals_kick_run(vcpu->run);
	return vcpu_run_loop(vcpu, m);
}

int main(int argc, char **argv)
{
	struct vcpu vcpu = { .fd = -1 };
	struct options opt;
	struct machine m;
	struct vm vm;
	int ret;

	ret = parse_options(argc, argv, &opt);
	if (ret >= 0)
		return ret;
	ret = run_vm(&opt, &vm, &vcpu, &m);
	signals_kick_run(NULL);		/* the run area goes away */
	vcpu_destroy(&vcpu);
	vm_destroy(&vm);
	return ret;
}
