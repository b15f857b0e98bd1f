/* SPDX-License-Identifier: GPL-2.0 */
/* Host stand-in for the kernel's <linux/string.h>: memcpy, memset. */
#ifndef VIREO_KSHIM_LINUX_STRING_H
#define VIREO_KSHIM_LINUX_STRING_H

#include <string.h>

#endif
