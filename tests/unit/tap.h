/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Minimal TAP (Test Anything Protocol) output for host-side unit tests:
 *
 *	ok(cond, "name %d", n);		prints "ok N - name" or "not ok N - ..."
 *	is_int(got, want, "name");	same, and shows both values on failure
 *	return tap_done();		prints the plan "1..N"; exit status
 *
 * The plan comes last, so a test that crashes half-way has no plan and any
 * TAP consumer counts it as failed; the exit status is non-zero when a test
 * failed, so `make unit-check` needs no TAP parser.
 */
#ifndef VIREO_TAP_H
#define VIREO_TAP_H

#include <stdarg.h>
#include <stdio.h>
#include <string.h>

static unsigned int tap_count, tap_failed;

static inline __attribute__((format(printf, 2, 3)))
int ok(int cond, const char *fmt, ...)
{
	va_list ap;

	tap_count++;
	if (!cond)
		tap_failed++;
	printf("%sok %u - ", cond ? "" : "not ", tap_count);
	va_start(ap, fmt);
	vprintf(fmt, ap);
	va_end(ap);
	printf("\n");
	fflush(stdout);
	return cond;
}

#define is_int(got, want, ...)						\
	({								\
		long long __g = (long long)(got);			\
		long long __w = (long long)(want);			\
		int __ok = ok(__g == __w, __VA_ARGS__);			\
		if (!__ok)						\
			printf("#   got 0x%llx (%lld), want 0x%llx (%lld)\n", \
			       __g, __g, __w, __w);			\
		__ok;							\
	})

#define is_str(got, want, ...)						\
	({								\
		const char *__gs = (got), *__ws = (want);		\
		int __ok = ok(__gs && !strcmp(__gs, __ws), __VA_ARGS__); \
		if (!__ok)						\
			printf("#   got \"%s\"\n#   want \"%s\"\n",	\
			       __gs ? __gs : "(null)", __ws);		\
		__ok;							\
	})

#define diag(...)	(printf("# " __VA_ARGS__), printf("\n"))

static inline int tap_done(void)
{
	printf("1..%u\n", tap_count);
	if (tap_failed)
		printf("# %u of %u tests failed\n", tap_failed, tap_count);
	return tap_failed ? 1 : 0;
}

#endif /* VIREO_TAP_H */
