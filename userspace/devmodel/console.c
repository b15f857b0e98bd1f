// SPDX-License-Identifier: GPL-2.0
#include <errno.h>
#include <signal.h>
#include <stdbool.h>
#include <stdlib.h>
#include <string.h>
#include <termios.h>
#include <unistd.h>
#include <sys/stat.h>

#include "console.h"
#include "util.h"

static struct termios saved_tty;
static volatile sig_atomic_t tty_raw;

/* A terminal we may read: reading from the background raises SIGTTIN. */
static bool foreground_tty(int fd)
{
	pid_t pgrp;

	if (!isatty(fd))
		return false;
	pgrp = tcgetpgrp(fd);
	return pgrp >= 0 && pgrp == getpgrp();
}

int console_input_fd(void)
{
	struct stat st;

	if (fstat(STDIN_FILENO, &st) < 0)
		return -1;
	if (S_ISFIFO(st.st_mode))
		return STDIN_FILENO;
	if (S_ISCHR(st.st_mode) && foreground_tty(STDIN_FILENO))
		return STDIN_FILENO;
	return -1;
}

/* Async-signal-safe: tcsetattr() is on the POSIX list. */
void console_restore(void)
{
	if (!tty_raw)
		return;
	tty_raw = 0;
	tcsetattr(STDIN_FILENO, TCSAFLUSH, &saved_tty);
}

/*
 * The signals whose default action kills the process and that vireo-vm
 * does not otherwise take (SIGINT, SIGTERM and SIGHUP end the VM in order,
 * signals.c).  SA_RESETHAND restores the default action, so re-raising
 * the signal after the handler kills the process as it would have.
 */
static void on_fatal_signal(int sig)
{
	int saved = errno;

	console_restore();
	raise(sig);
	errno = saved;
}

static void console_catch_fatal(void)
{
	static const int sigs[] = {
		SIGQUIT, SIGABRT, SIGSEGV, SIGBUS, SIGFPE, SIGILL,
	};
	struct sigaction sa;
	size_t i;

	memset(&sa, 0, sizeof(sa));
	sa.sa_handler = on_fatal_signal;
	sa.sa_flags = SA_RESETHAND;
	sigemptyset(&sa.sa_mask);
	for (i = 0; i < ARRAY_SIZE(sigs); i++)
		sigaction(sigs[i], &sa, NULL);
}

/*
 * Raw input as cfmakeraw() would make it, but output processing and the
 * character size are left alone (the guest's "\n" may need the terminal's
 * "\r"), and ISIG stays on.  Ctrl-Z goes to the guest (VSUSP disabled).
 */
static void make_raw(struct termios *t)
{
	t->c_iflag &= ~(IGNBRK | BRKINT | PARMRK | ISTRIP | INLCR | IGNCR |
			ICRNL | IXON);
	t->c_lflag &= ~(ECHO | ECHONL | ICANON | IEXTEN);
	t->c_cc[VSUSP] = _POSIX_VDISABLE;
	t->c_cc[VMIN] = 1;
	t->c_cc[VTIME] = 0;
}

int console_raw_start(void)
{
	struct termios raw;

	if (tty_raw || console_input_fd() != STDIN_FILENO ||
	    !isatty(STDIN_FILENO))
		return 0;
	if (tcgetattr(STDIN_FILENO, &saved_tty) < 0)
		return -errno;
	raw = saved_tty;
	make_raw(&raw);
	console_catch_fatal();
	if (atexit(console_restore))
		return -ENOMEM;
	/* Typed-ahead input is the guest's; unread input at exit is dropped. */
	tty_raw = 1;
	if (tcsetattr(STDIN_FILENO, TCSANOW, &raw) < 0) {
		tty_raw = 0;
		return -errno;
	}
	return 0;
}
