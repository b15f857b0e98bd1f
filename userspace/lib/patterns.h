/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Guest property patterns, as VirtualBox has them: alternatives separated
 * by '|', each matched against the whole name, '*' standing for any run
 * of characters and '?' for one.  An empty (or NULL) pattern list
 * matches every name.  Case matters.
 */
#ifndef VIREO_PATTERNS_H
#define VIREO_PATTERNS_H

#include <stdbool.h>

bool patterns_match(const char *patterns, const char *name);

#endif /* VIREO_PATTERNS_H */
