/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Host stand-in for the kernel's <linux/types.h>, so that kernel sources
 * written for it (kernel/emulate/) build into host unit tests: the uapi
 * header's __u8.. plus the kernel's short names and bool.
 */
#ifndef VIREO_KSHIM_LINUX_TYPES_H
#define VIREO_KSHIM_LINUX_TYPES_H

#include_next <linux/types.h>
#include <stdbool.h>
#include <stddef.h>

typedef __u8 u8;
typedef __u16 u16;
typedef __u32 u32;
typedef __u64 u64;
typedef __s8 s8;
typedef __s16 s16;
typedef __s32 s32;
typedef __s64 s64;

#endif
