// SPDX-License-Identifier: GPL-2.0
/*
 * Terminal-safe text (safetext.h).
 */
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>

#include "safetext.h"

#define SAFE_BUFS	4
#define SAFE_SIZE	8192

/*
 * The length of the valid UTF-8 sequence at p that is no C1 control
 * (U+0080-U+009F), or 0: such bytes, and invalid ones, are escaped.
 */
static size_t utf8_ok(const unsigned char *p)
{
	size_t n, i;
	uint32_t cp;

	if (p[0] >= 0xc2 && p[0] <= 0xdf)
		n = 2;
	else if (p[0] >= 0xe0 && p[0] <= 0xef)
		n = 3;
	else if (p[0] >= 0xf0 && p[0] <= 0xf4)
		n = 4;
	else
		return 0;
	cp = p[0] & (0x7f >> n);
	for (i = 1; i < n; i++) {
		if ((p[i] & 0xc0) != 0x80)
			return 0;
		cp = cp << 6 | (p[i] & 0x3f);
	}
	if (cp < 0xa0 || (n == 3 && cp < 0x800) || (n == 4 && cp < 0x10000) ||
	    (cp >= 0xd800 && cp <= 0xdfff) || cp > 0x10ffff)
		return 0;
	return n;
}

const char *safe_text(const char *s)
{
	static char bufs[SAFE_BUFS][SAFE_SIZE];
	static unsigned int next;
	char *out = bufs[next++ % SAFE_BUFS];
	const unsigned char *p = (const unsigned char *)(s ? s : "");
	size_t len = 0, n;

	/* Room for the longest step (4 bytes or "\\xNN") and "...". */
	while (*p && len + 12 < SAFE_SIZE) {
		if (*p >= 0x20 && *p < 0x7f && *p != '\\') {
			out[len++] = (char)*p++;
		} else if (*p == '\\') {
			out[len++] = '\\';
			out[len++] = '\\';
			p++;
		} else if (*p >= 0x80 && (n = utf8_ok(p))) {
			memcpy(out + len, p, n);
			len += n;
			p += n;
		} else {
			len += snprintf(out + len, SAFE_SIZE - len, "\\x%02x",
					*p++);
		}
	}
	memcpy(out + len, *p ? "..." : "", *p ? 4 : 1);
	return out;
}
