// SPDX-License-Identifier: GPL-2.0
/* The failure path of TEST_ASSERT(), and the output it goes with. */
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>

#include "test_util.h"

void test_assert_fail(const char *file, int line, const char *expr, int err,
		      const char *fmt, ...)
{
	struct rlimit no_core = { 0, 0 };
	va_list ap;

	fprintf(stderr, "==== Test Assertion Failure ====\n");
	fprintf(stderr, "  %s:%d: %s\n", file, line, expr);
	fprintf(stderr, "  errno=%d (%s)\n  ", err, strerror(err));
	va_start(ap, fmt);
	vfprintf(stderr, fmt, ap);
	va_end(ap);
	fputc('\n', stderr);
	fflush(stdout);
	fflush(stderr);

	/*
	 * A test process maps tens of MiB of guest memory: a core file of it
	 * would only fill the sandbox's tmpfs.
	 */
	setrlimit(RLIMIT_CORE, &no_core);
	abort();
}

/*
 * The tests' output is read live on a sandbox console, often because the
 * machine under test is about to hang: print each TAP line as it is made,
 * so the last line shown names the test that was running.
 */
static void __attribute__((constructor)) line_buffered_stdout(void)
{
	setvbuf(stdout, NULL, _IOLBF, 0);
}
