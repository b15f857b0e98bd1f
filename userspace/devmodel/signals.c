// SPDX-License-Identifier: GPL-2.0
#include <signal.h>
#include <stddef.h>
#include <string.h>

#include "signals.h"
#include "util.h"

static volatile sig_atomic_t term_signal;
static struct vireo_run *volatile kick_run;

static void on_term_signal(int sig)
{
	term_signal = sig;
	if (kick_run)
		kick_run->immediate_exit = 1;
}

int signals_init(void)
{
	static const int sigs[] = { SIGINT, SIGTERM, SIGHUP };
	struct sigaction sa;
	size_t i;

	memset(&sa, 0, sizeof(sa));
	sa.sa_handler = on_term_signal;
	sigemptyset(&sa.sa_mask);
	/* No SA_RESTART: VIREO_RUN must return -EINTR to the loop. */
	for (i = 0; i < ARRAY_SIZE(sigs); i++)
		if (sigaction(sigs[i], &sa, NULL) < 0)
			return -1;
	return 0;
}

void signals_kick_run(struct vireo_run *run)
{
	kick_run = run;
}

int signals_pending(void)
{
	return term_signal;
}
