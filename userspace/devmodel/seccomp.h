/* SPDX-License-Identifier: GPL-2.0 */
/*
 * The VM process's system call filter.  Once the VM is set up (memory
 * mapped, files opened, devices made) and before any vCPU runs guest code,
 * the process keeps only the system calls it needs to run: an allow-list
 * kept as data, in the spirit of Firecracker's seccomp filters and OpenBSD
 * vmd's pledge.  The core's list is here; each device class adds its own
 * (dev_class.syscalls), so a device that needs more (TAP, sockets,
 * asynchronous disk I/O) extends the list for VMs that have it instead of
 * widening it for all.
 *
 * What the list leaves out: opening, creating or deleting files, sockets,
 * exec, process creation other than threads, mounts, ptrace, namespaces,
 * the keyring, BPF, executable memory, signals to other processes.  ioctl
 * is allowed only with Vireo's request numbers, each exactly, and the
 * terminal's TCGETS/TCSETS* (so not TIOCSTI, which would type into the
 * user's shell); fcntl only to duplicate or read flags; clone only for a
 * thread (clone3 answers ENOSYS, and glibc falls back to clone).
 *
 * A call outside the list ends the VM process at once (SIGSYS), with one
 * line on stderr naming the call, and exit status EXIT_CODE_SECCOMP.
 */
#ifndef VIREO_SECCOMP_H
#define VIREO_SECCOMP_H

struct machine;

/* What a part beside the devices needs (the control socket's thread). */
struct seccomp_extra {
	const int *syscalls;
	unsigned int nr_syscalls;
};

/*
 * Install the filter for every thread the process will have (call it
 * before starting any but the control's, which it covers too): the core's
 * calls, those of the classes of m's devices, and extra's (or NULL).  0,
 * or -errno after printing why.
 */
int seccomp_lockdown(struct machine *m, const struct seccomp_extra *extra);

#endif /* VIREO_SECCOMP_H */
