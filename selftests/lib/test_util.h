/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Assertions and small helpers shared by the selftest library and the tests.
 *
 * The library cannot use the kselftest harness's ASSERT_*() (they need the
 * harness's per-test metadata), so it fails with TEST_ASSERT(): print where
 * and why, with errno, then abort().  The harness runs each test in a forked
 * child and reports a child killed by SIGABRT as "terminated by assertion".
 */
#ifndef SELFTEST_TEST_UTIL_H
#define SELFTEST_TEST_UTIL_H

#include <errno.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#define PAGE_SIZE		4096UL
#define PAGE_MASK		(~(PAGE_SIZE - 1))
#define SZ_1M			(1UL << 20)
#define SZ_2M			(2UL << 20)
#define SZ_1G			(1UL << 30)

#define ALIGN_UP(x, a)		(((x) + (a) - 1) & ~((__typeof__(x))(a) - 1))
#define IS_ALIGNED(x, a)	(((x) & ((__typeof__(x))(a) - 1)) == 0)

#ifndef ARRAY_SIZE
#define ARRAY_SIZE(a)		(sizeof(a) / sizeof((a)[0]))
#endif

void __attribute__((noreturn, format(printf, 5, 6)))
test_assert_fail(const char *file, int line, const char *expr, int err,
		 const char *fmt, ...);

/*
 * Fail the test unless @cond holds.  errno is captured before anything else
 * runs so the message shows the error of the call that failed.
 */
#define TEST_ASSERT(cond, fmt, ...) do {				\
	int __err = errno;						\
	if (!(cond))							\
		test_assert_fail(__FILE__, __LINE__, #cond, __err,	\
				 fmt, ##__VA_ARGS__);			\
} while (0)

/* Like TEST_ASSERT() but blaming the caller's @file:@line (for helpers). */
#define TEST_ASSERT_AT(file, line, cond, fmt, ...) do {		\
	int __err = errno;						\
	if (!(cond))							\
		test_assert_fail(file, line, #cond, __err,		\
				 fmt, ##__VA_ARGS__);			\
} while (0)

#define TEST_FAIL(fmt, ...)						\
	test_assert_fail(__FILE__, __LINE__, "unreachable", errno,	\
			 fmt, ##__VA_ARGS__)

#endif /* SELFTEST_TEST_UTIL_H */
