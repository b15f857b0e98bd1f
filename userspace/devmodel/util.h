/* SPDX-License-Identifier: GPL-2.0 */
#ifndef VIREO_UTIL_H
#define VIREO_UTIL_H

#include <stdio.h>

#define ARRAY_SIZE(a)	(sizeof(a) / sizeof((a)[0]))

/* Every message of vireo-vm goes to stderr and says who speaks. */
#define pr_err(fmt, ...)	fprintf(stderr, "vireo-vm: " fmt, ##__VA_ARGS__)
/* Not an error, but not the guest's console either: stderr as well. */
#define pr_info(fmt, ...)	fprintf(stderr, "vireo-vm: " fmt, ##__VA_ARGS__)

#endif /* VIREO_UTIL_H */
