// SPDX-License-Identifier: GPL-2.0
/*
 * '|'-separated glob patterns (patterns.h).  The matcher backtracks only
 * to the last '*', so it takes time linear in pattern times name: a
 * guest's pattern of many stars costs no more than its length allows.
 */
#include <stddef.h>

#include "patterns.h"

/* Does pat[0..len) match all of name? */
static bool glob_match(const char *pat, size_t len, const char *name)
{
	size_t p = 0, star_p = (size_t)-1;
	const char *n = name, *star_n = NULL;

	while (*n) {
		if (p < len && (pat[p] == '?' || pat[p] == *n)) {
			p++;
			n++;
		} else if (p < len && pat[p] == '*') {
			star_p = p++;
			star_n = n;
		} else if (star_n) {
			p = star_p + 1;
			n = ++star_n;
		} else {
			return false;
		}
	}
	while (p < len && pat[p] == '*')
		p++;
	return p == len;
}

bool patterns_match(const char *patterns, const char *name)
{
	const char *alt;

	if (!patterns || !*patterns)
		return true;
	for (alt = patterns;; ) {
		const char *bar = alt;

		while (*bar && *bar != '|')
			bar++;
		if (glob_match(alt, (size_t)(bar - alt), name))
			return true;
		if (!*bar)
			return false;
		alt = bar + 1;
	}
}
