/* SPDX-License-Identifier: GPL-2.0 */
/*
 * For the tests of the errno contract: harness assertions, so include this
 * after kselftest_harness.h, in test files only.
 */
#ifndef SELFTEST_ERRNO_ASSERT_H
#define SELFTEST_ERRNO_ASSERT_H

#include <errno.h>
#include <string.h>

/* @call (an ioctl) fails: it returns -1 and sets errno to @err. */
#define ASSERT_ERRNO(err, call) do {					\
	long __ret;							\
									\
	errno = 0;							\
	__ret = (call);							\
	ASSERT_EQ(-1, __ret)						\
		TH_LOG("%s returned %ld, expected %s", #call, __ret,	\
		       strerrorname_np(err));				\
	ASSERT_EQ(err, errno)						\
		TH_LOG("%s failed with %s, expected %s", #call,		\
		       strerrorname_np(errno), strerrorname_np(err));	\
} while (0)

/* @call (an ioctl) succeeds. */
#define ASSERT_OK(call) do {						\
	long __ret;							\
									\
	errno = 0;							\
	__ret = (call);							\
	ASSERT_LE(0, __ret)						\
		TH_LOG("%s failed with %s", #call, strerrorname_np(errno)); \
} while (0)

#endif /* SELFTEST_ERRNO_ASSERT_H */
