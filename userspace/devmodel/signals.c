// SPDX-License-Identifier: GPL-2.0
#include <errno.h>
#include <pthread.h>
#include <stddef.h>
#include <string.h>

#include "signals.h"
#include "util.h"

static const int term_signals[] = { SIGINT, SIGTERM, SIGHUP };

static void waited_set(sigset_t *set)
{
	size_t i;

	sigemptyset(set);
	for (i = 0; i < ARRAY_SIZE(term_signals); i++)
		sigaddset(set, term_signals[i]);
	sigaddset(set, SIGNAL_KICK);
}

/* Only interrupts: the thread that was kicked looks at the VM itself. */
static void on_kick(int sig)
{
}

int signals_init(void)
{
	struct sigaction sa;
	sigset_t set;

	memset(&sa, 0, sizeof(sa));
	sa.sa_handler = on_kick;
	sigemptyset(&sa.sa_mask);
	/* No SA_RESTART: VIREO_RUN must return EINTR to the vCPU loop. */
	if (sigaction(SIGNAL_KICK, &sa, NULL) < 0)
		return -errno;
	/*
	 * A console reader that goes away must not kill the VM: the write
	 * fails with EPIPE instead, and the output is dropped (console_out.h).
	 */
	sa.sa_handler = SIG_IGN;
	if (sigaction(SIGPIPE, &sa, NULL) < 0)
		return -errno;
	waited_set(&set);
	return -pthread_sigmask(SIG_BLOCK, &set, NULL);
}

int signals_unblock_kick(void)
{
	sigset_t set;

	sigemptyset(&set);
	sigaddset(&set, SIGNAL_KICK);
	return -pthread_sigmask(SIG_UNBLOCK, &set, NULL);
}

int signals_wait(void)
{
	sigset_t set;
	int sig;

	waited_set(&set);
	do {
		sig = sigwaitinfo(&set, NULL);
	} while (sig < 0 && errno == EINTR);
	/* Cannot fail with a valid set; if it did, look at the VM anyway. */
	return sig < 0 ? SIGNAL_KICK : sig;
}

bool signals_is_termination(int sig)
{
	size_t i;

	for (i = 0; i < ARRAY_SIZE(term_signals); i++)
		if (sig == term_signals[i])
			return true;
	return false;
}

const char *signals_name(int sig)
{
	switch (sig) {
	case SIGINT:
		return "SIGINT";
	case SIGTERM:
		return "SIGTERM";
	case SIGHUP:
		return "SIGHUP";
	case SIGNAL_KICK:
		return "SIGUSR1";
	default:
		return "a signal";
	}
}
