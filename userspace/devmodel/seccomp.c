// SPDX-License-Identifier: GPL-2.0
/*
 * The filter is built with libseccomp (Debian's libseccomp2, the library
 * QEMU, systemd and the container runtimes use): it writes the BPF
 * program, checks the architecture first, and resolves call numbers and
 * names, so none of that is hand-written here.
 */
#include <errno.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <seccomp.h>
#include <fcntl.h>
#include <sched.h>
#include <sys/ioctl.h>
#include <linux/if_tun.h>
#include <sys/mman.h>
#include <sys/prctl.h>
#include <linux/vireo.h>

#include "console.h"
#include "devices.h"
#include "exitcodes.h"
#include "seccomp.h"
#include "util.h"

/*
 * What every VM process does once it runs: its threads (vCPUs, the event
 * loop, the main thread waiting for the end), memory, signals, the event
 * loop's epoll and timerfd, messages on stderr, reloading the kernel and
 * initrd from the files kept open at a reset (boot_keep_open()), and its
 * own end.
 */
static const int core_syscalls[] = {
	/* fds it holds: /dev/vireo, the VM and vCPUs, kernel, initrd */
	SCMP_SYS(read), SCMP_SYS(write), SCMP_SYS(writev), SCMP_SYS(close),
	SCMP_SYS(lseek), SCMP_SYS(fstat),
	/* memory: malloc, the vCPU run areas, thread stacks (no PROT_EXEC) */
	SCMP_SYS(munmap), SCMP_SYS(mremap), SCMP_SYS(madvise), SCMP_SYS(brk),
	/* threads: a reset makes the vCPU threads again (clone: below) */
	SCMP_SYS(futex), SCMP_SYS(set_robust_list), SCMP_SYS(rseq),
	SCMP_SYS(exit), SCMP_SYS(exit_group), SCMP_SYS(gettid),
	SCMP_SYS(getpid), SCMP_SYS(sched_yield), SCMP_SYS(sched_getaffinity),
	SCMP_SYS(getrandom),
	/* signals: kicks (SIGUSR1), termination, the end */
	SCMP_SYS(rt_sigprocmask), SCMP_SYS(rt_sigreturn),
	SCMP_SYS(rt_sigtimedwait), SCMP_SYS(restart_syscall),
	/* the event loop and time */
	SCMP_SYS(epoll_wait), SCMP_SYS(epoll_pwait), SCMP_SYS(epoll_ctl),
	SCMP_SYS(timerfd_settime), SCMP_SYS(timerfd_gettime),
	SCMP_SYS(clock_gettime), SCMP_SYS(clock_nanosleep),
	SCMP_SYS(nanosleep),
};

/*
 * ioctl: Vireo's requests, each exactly (a type byte alone is shared with
 * other drivers), and the terminal's (raw mode and back at exit).
 */
static const unsigned long ioctls[] = {
	VIREO_GET_API_VERSION, VIREO_CHECK_CAP, VIREO_CREATE_VM,
	VIREO_GET_RUN_SIZE, VIREO_GET_SUPPORTED_CPUID,
	VIREO_SET_MEMORY_REGION, VIREO_CREATE_VCPU, VIREO_SIGNAL_MSI,
	VIREO_RUN, VIREO_GET_REGS, VIREO_SET_REGS, VIREO_GET_SREGS,
	VIREO_SET_SREGS, VIREO_SET_CPUID, VIREO_GET_MP_STATE,
	VIREO_SET_MP_STATE, VIREO_SET_GUEST_TIME, VIREO_IOEVENTFD,
	TCGETS, TCSETS, TCSETSW, TCSETSF,
	/* virtio-net: a TAP's offloads follow what the driver takes. */
	TUNSETOFFLOAD,
};

/* fcntl: a new fd of a kept file (a reset), and reading flags. */
static const int fcntl_cmds[] = { F_DUPFD_CLOEXEC, F_GETFD, F_GETFL };

/* Names for the SIGSYS message, resolved before the filter is in. */
#define MAX_SYSCALL	512
static const char *names[MAX_SYSCALL];

/* Append s to the line at *p, leaving room for its end. */
static void put_str(char **p, char *end, const char *s)
{
	while (*s && *p < end - 1)
		*(*p)++ = *s++;
}

/*
 * Async-signal-safe: no stdio, no malloc; the line goes out in one
 * write(), then the process ends.
 */
static void on_sigsys(int sig, siginfo_t *si, void *ctx)
{
	char line[256], num[16], *p = line, *end = line + sizeof(line);
	char *d = num + sizeof(num);
	unsigned int nr = si->si_syscall;
	ssize_t n;

	*--d = '\0';
	do {
		*--d = '0' + nr % 10;
		nr /= 10;
	} while (nr && d > num);
	put_str(&p, end, "vireo-vm: the VM process made a system call outside its allow-list: ");
	put_str(&p, end, si->si_syscall >= 0 && si->si_syscall < MAX_SYSCALL &&
			 names[si->si_syscall] ? names[si->si_syscall] : "?");
	put_str(&p, end, " (");
	put_str(&p, end, d);
	put_str(&p, end, "); stopping the VM (a bug: please report it)\n");
	console_restore();
	n = write(STDERR_FILENO, line, p - line);
	(void)n;
	_exit(EXIT_CODE_SECCOMP);
}

static int allow(scmp_filter_ctx ctx, int nr)
{
	int err = seccomp_rule_add(ctx, SCMP_ACT_ALLOW, nr, 0);

	/* A call this architecture does not have (a pseudo number): skip. */
	return err == -EFAULT || err == -EDOM ? 0 : err;
}

#define RULE(ctx, call, ...) \
	seccomp_rule_add(ctx, SCMP_ACT_ALLOW, SCMP_SYS(call), __VA_ARGS__)

/* The calls allowed only with some arguments. */
static int allow_with_args(scmp_filter_ctx ctx)
{
	unsigned int i;
	int err = 0;

	for (i = 0; !err && i < ARRAY_SIZE(ioctls); i++)
		err = RULE(ctx, ioctl, 1, SCMP_A1(SCMP_CMP_EQ, ioctls[i]));
	for (i = 0; !err && i < ARRAY_SIZE(fcntl_cmds); i++)
		err = RULE(ctx, fcntl, 1, SCMP_A1(SCMP_CMP_EQ, fcntl_cmds[i]));
	/* Threads only: no second process that would outlive this one. */
	if (!err)
		err = RULE(ctx, clone, 1, SCMP_A0(SCMP_CMP_MASKED_EQ,
						 CLONE_THREAD, CLONE_THREAD));
	/* clone3's flags are in memory, out of a filter's reach. */
	if (!err)
		err = seccomp_rule_add(ctx, SCMP_ACT_ERRNO(ENOSYS),
				       SCMP_SYS(clone3), 0);
	/* Signals to its own threads only. */
	if (!err)
		err = RULE(ctx, tgkill, 1, SCMP_A0(SCMP_CMP_EQ, getpid()));
	/* No executable memory: nothing is loaded once the VM runs. */
	if (!err)
		err = RULE(ctx, mmap, 1, SCMP_A2(SCMP_CMP_MASKED_EQ, PROT_EXEC, 0));
	if (!err)
		err = RULE(ctx, mprotect, 1,
			   SCMP_A2(SCMP_CMP_MASKED_EQ, PROT_EXEC, 0));
	/* fstat() of an fd it holds, not a path. */
	if (!err)
		err = RULE(ctx, newfstatat, 1,
			   SCMP_A3(SCMP_CMP_MASKED_EQ, AT_EMPTY_PATH,
				   AT_EMPTY_PATH));
	/* The SIGSYS handler stays. */
	if (!err)
		err = RULE(ctx, rt_sigaction, 1, SCMP_A0(SCMP_CMP_NE, SIGSYS));
	/* A thread names itself ("vcpu3"). */
	if (!err)
		err = RULE(ctx, prctl, 1, SCMP_A0(SCMP_CMP_EQ, PR_SET_NAME));
	return err;
}

static int build(scmp_filter_ctx ctx, struct machine *m,
		 const struct seccomp_extra *x)
{
	unsigned int i, j;
	int err = 0;

	for (i = 0; !err && i < ARRAY_SIZE(core_syscalls); i++)
		err = allow(ctx, core_syscalls[i]);
	for (i = 0; x && !err && i < x->nr_syscalls; i++)
		err = allow(ctx, x->syscalls[i]);

	for (i = 0; !err && i < m->nr_devices; i++) {
		const struct dev_class *cls = m->devices[i]->cls;

		for (j = 0; !err && j < cls->nr_syscalls; j++)
			err = allow(ctx, cls->syscalls[j]);
	}
	if (!err)
		err = allow_with_args(ctx);
	return err;
}

static void resolve_names(void)
{
	unsigned int i;

	for (i = 0; i < MAX_SYSCALL; i++)
		if (!names[i])
			names[i] = seccomp_syscall_resolve_num_arch(
					SCMP_ARCH_NATIVE, i);
}

int seccomp_lockdown(struct machine *m, const struct seccomp_extra *extra)
{
	struct sigaction sa = {
		.sa_sigaction = on_sigsys,
		.sa_flags = SA_SIGINFO,
	};
	scmp_filter_ctx ctx;
	int err;

	resolve_names();
	if (sigaction(SIGSYS, &sa, NULL) < 0) {
		err = -errno;
		pr_err("seccomp: cannot catch SIGSYS: %s\n", strerror(-err));
		return err;
	}
	ctx = seccomp_init(SCMP_ACT_TRAP);
	if (!ctx) {
		pr_err("seccomp: cannot start a filter (libseccomp)\n");
		return -ENOMEM;
	}
	/*
	 * The calls of every exit (VIREO_RUN, the devices' ioctls, a
	 * kick) first, and a binary search over the rest: the filter runs
	 * at every system call, so it is kept short on the hot path.  Any
	 * thread already running gets it too; a call made through another
	 * ABI (int $0x80) ends the process rather than one thread.
	 */
	err = seccomp_attr_set(ctx, SCMP_FLTATR_CTL_OPTIMIZE, 2);
	if (!err)
		err = seccomp_attr_set(ctx, SCMP_FLTATR_CTL_TSYNC, 1);
	if (!err)
		err = seccomp_attr_set(ctx, SCMP_FLTATR_ACT_BADARCH,
				       SCMP_ACT_KILL_PROCESS);
	if (!err)
		err = seccomp_syscall_priority(ctx, SCMP_SYS(ioctl), 255);
	if (!err)
		err = seccomp_syscall_priority(ctx, SCMP_SYS(futex), 254);
	if (!err)
		err = build(ctx, m, extra);
	if (!err)
		err = seccomp_load(ctx);
	seccomp_release(ctx);
	if (err)
		pr_err("seccomp: cannot install the system call filter: %s\n",
		       strerror(-err));
	return err;
}
