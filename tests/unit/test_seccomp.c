// SPDX-License-Identifier: GPL-2.0
/*
 * The VM process's system call filter (seccomp.h), in child processes:
 * after seccomp_lockdown() what the VM process does still works (memory,
 * a new thread, Vireo's ioctls, the terminal's), and each call it has no
 * business making ends the process with status EXIT_CODE_SECCOMP and one
 * line naming the call.
 */
#include <errno.h>
#include <fcntl.h>
#include <pthread.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/mman.h>
#include <sys/syscall.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <unistd.h>
#include <linux/vireo.h>

#include "devices.h"
#include "exitcodes.h"
#include "seccomp.h"
#include "tap.h"
#include "util.h"

static void *thread_fn(void *arg)
{
	/* As a vCPU thread names itself. */
	if (pthread_setname_np(pthread_self(), "vcpu0"))
		return NULL;
	return malloc(64 << 10);
}

/* What the VM process does once it runs; exits 0 when all of it works. */
static int allowed(void)
{
	pthread_t t;
	void *p = NULL;
	char *big;
	int fds[2];

	if (pthread_create(&t, NULL, thread_fn, NULL) ||
	    pthread_join(t, &p) || !p)
		return 1;
	free(p);
	big = malloc(64 << 20);		/* mmap */
	if (!big)
		return 2;
	memset(big, 1, 64 << 20);
	free(big);
	if (pipe(fds) == 0)		/* pipe() is not on the list */
		return 3;
	/* A Vireo request on a non-Vireo fd: allowed, refused by the fd. */
	if (ioctl(STDERR_FILENO, VIREO_GET_API_VERSION, 0) != -1 ||
	    errno != ENOTTY)
		return 4;
	return 0;
}

static int forbidden_socket(void)
{
	return socket(AF_UNIX, SOCK_STREAM, 0) >= 0 ? 0 : 1;
}

static int forbidden_open(void)
{
	return open("/etc/passwd", O_RDONLY) >= 0 ? 0 : 1;
}

/* TIOCSTI would push bytes into the terminal's input: the user's shell. */
static int forbidden_tiocsti(void)
{
	char c = 'x';

	return ioctl(STDIN_FILENO, TIOCSTI, &c);
}

/* fork() is clone() without CLONE_THREAD: a process, not a thread. */
static int forbidden_fork(void)
{
	pid_t pid = fork();

	if (pid == 0)
		_exit(0);
	return pid > 0 ? 0 : 1;
}

static pid_t parent;	/* the test, outside the filter */

static int forbidden_kill_other(void)
{
	/* Its parent: tgkill to a process that is not this one. */
	return syscall(SYS_tgkill, parent, parent, 0);
}

static int forbidden_exec_memory(void)
{
	return mmap(NULL, 4096, PROT_READ | PROT_EXEC,
		    MAP_PRIVATE | MAP_ANONYMOUS, -1, 0) != MAP_FAILED;
}

static int forbidden_setown(void)
{
	return fcntl(STDIN_FILENO, F_SETOWN, parent);
}

/* Vireo's type byte, but not one of its requests (0xB8 is shared). */
static int forbidden_other_b8(void)
{
	return ioctl(STDERR_FILENO, _IO(VIREO_IOCTL_TYPE, 0x7f), 0);
}

static int forbidden_exec(void)
{
	char *argv[] = { "/bin/true", NULL };

	return execv(argv[0], argv);
}

/*
 * Run fn in a child under the filter, a machine with no device; its
 * status in *status and its stderr in err.
 */
static void in_child(int (*fn)(void), int *status, char *err, size_t len)
{
	struct machine m;
	int fds[2], st = 0;
	ssize_t n;
	pid_t pid;

	if (pipe(fds)) {
		*status = -1;
		return;
	}
	pid = fork();
	if (pid == 0) {
		dup2(fds[1], STDERR_FILENO);
		close(fds[0]);
		machine_init(&m, -1);
		if (seccomp_lockdown(&m, NULL))
			_exit(100);
		_exit(fn());
	}
	close(fds[1]);
	err[0] = '\0';
	for (size_t got = 0; got < len - 1; got += n) {
		n = read(fds[0], err + got, len - 1 - got);
		if (n <= 0)
			break;
		err[got + n] = '\0';
	}
	close(fds[0]);
	waitpid(pid, &st, 0);
	*status = WIFEXITED(st) ? WEXITSTATUS(st) : 128 + WTERMSIG(st);
}

int main(void)
{
	static const struct {
		int (*fn)(void);
		const char *name;
	} bad[] = {
		{ forbidden_socket, "socket" },
		{ forbidden_open, "openat" },
		{ forbidden_tiocsti, "ioctl" },
		{ forbidden_exec, "execve" },
		{ forbidden_fork, "clone" },
		{ forbidden_kill_other, "tgkill" },
		{ forbidden_exec_memory, "mmap" },
		{ forbidden_setown, "fcntl" },
		{ forbidden_other_b8, "ioctl" },
	};
	char err[512], want[64];
	unsigned int i;
	int status;

	parent = getpid();
	in_child(allowed, &status, err, sizeof(err));
	is_int(status, EXIT_CODE_SECCOMP,
	       "a thread, 64 MiB of malloc, Vireo's ioctls work; then pipe() ends it");
	ok(strstr(err, "outside its allow-list: pipe") != NULL,
	   "...naming pipe: %s", err);
	for (i = 0; i < ARRAY_SIZE(bad); i++) {
		in_child(bad[i].fn, &status, err, sizeof(err));
		snprintf(want, sizeof(want), "allow-list: %s (", bad[i].name);
		ok(status == EXIT_CODE_SECCOMP && strstr(err, want),
		   "%s ends the VM process with status %d, naming it",
		   bad[i].name, EXIT_CODE_SECCOMP);
		if (status != EXIT_CODE_SECCOMP || !strstr(err, want))
			diag("status %d, stderr: %s", status, err);
	}
	return tap_done();
}
