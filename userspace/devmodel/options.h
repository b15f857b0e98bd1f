/* SPDX-License-Identifier: GPL-2.0 */
/*
 * vireo-vm's command line: what to boot (--kernel or --rom), how much RAM
 * and how many vCPUs.  Parsing needs no kernel and no device, so it is
 * tested on its own.
 */
#ifndef VIREO_OPTIONS_H
#define VIREO_OPTIONS_H

#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>

#include "settings.h"

/*
 * What a settings file can hold (settings.h), the command line can say:
 * 64 vCPUs (ACPI_MAX_CPUS: the MADT, the CPUID topology and x2APIC IDs
 * agree on it) and 32 --device options.
 */
#define OPTIONS_MAX_CPUS	SETTINGS_MAX_CPUS
#define OPTIONS_MAX_DEVICES	SETTINGS_MAX_DEVICES

struct options {
	const char *rom;	/* --rom FILE, or NULL */
	const char *kernel;	/* --kernel FILE, or NULL */
	const char *initrd;	/* --initrd FILE, or NULL (--kernel only) */
	const char *append;	/* --append CMDLINE, or NULL (--kernel) */
	uint64_t mem;		/* bytes of guest RAM */
	unsigned int cpus;	/* 1..OPTIONS_MAX_CPUS; 1 with --rom */
	bool paravirt_kvm;	/* --paravirt kvm (the default) or none */
	bool no_reboot;		/* --no-reboot: a guest reset ends vireo-vm */
	bool no_seccomp;	/* --no-seccomp: no system call filter */
	bool no_vmmdev;		/* --no-vmmdev: a VM without VMMDev */
	bool vconsole;		/* --vconsole: the console is hvc0 */
	bool check;		/* --check: check the options, run nothing */
	const char *config;	/* --config FILE: the rest comes from it */
	const char *vm_name;	/* ... the VM's name and UUID from it */
	const char *vm_uuid;
	const char *control;	/* --control PATH: the control socket */
	const char *runtime;	/* --runtime DIR: UUID.sock and UUID.json */
	/* --device specs, checked (devices.h), in command-line order. */
	const char *devices[OPTIONS_MAX_DEVICES];
	unsigned int nr_devices;
};

enum options_result {
	OPTIONS_RUN,		/* *opt describes a VM to run */
	OPTIONS_HELP,		/* --help: print options_usage(), exit 0 */
	OPTIONS_VERSION,	/* --version: print the releases, exit 0 */
	OPTIONS_ERROR,		/* reason printed: exit EXIT_CODE_USAGE */
};

/*
 * Parse argv into *opt and check that the options go together: exactly one
 * of --rom and --kernel, --initrd and --append only with --kernel, --cpus
 * 1 with --rom, --mem within the limit of the mode (memsize.h).  Returns
 * an options_result; on OPTIONS_ERROR one line on stderr says why.  May be
 * called more than once (it resets getopt).
 */
int options_parse(int argc, char **argv, struct options *opt);

/* The --help text: options, devices, console and exit statuses. */
void options_usage(FILE *f);

#endif /* VIREO_OPTIONS_H */
