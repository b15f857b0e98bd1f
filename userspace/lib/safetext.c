// SPDX-License-Identifier: GPL-2.0
/*
 * Terminal-safe text (safetext.h).
 */
#include <stdbool.h>
#include <stdio.h>
#include <string.h>

#include "safetext.h"

#define SAFE_BUFS	4
#define SAFE_SIZE	8192

const char *safe_text(const char *s)
{
	static char bufs[SAFE_BUFS][SAFE_SIZE];
	static unsigned int next;
	char *out = bufs[next++ % SAFE_BUFS];
	const unsigned char *p = (const unsigned char *)(s ? s : "");
	size_t len = 0;

	for (; *p && len + 8 < SAFE_SIZE; p++) {
		bool c1 = p[0] == 0xc2 && p[1] >= 0x80 && p[1] <= 0x9f;

		if (*p < 0x20 || *p == 0x7f || c1) {
			len += snprintf(out + len, SAFE_SIZE - len, "\\x%02x",
					*p);
			if (c1)
				len += snprintf(out + len, SAFE_SIZE - len,
						"\\x%02x", *++p);
		} else if (*p == '\\') {
			out[len++] = '\\';
			out[len++] = '\\';
		} else {
			out[len++] = (char)*p;
		}
	}
	if (*p)
		memcpy(out + len, "...", 4);
	else
		out[len] = '\0';
	return out;
}
