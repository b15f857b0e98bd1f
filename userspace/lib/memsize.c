// SPDX-License-Identifier: GPL-2.0
#include <ctype.h>
#include <errno.h>
#include <stdlib.h>

#include "memsize.h"

static int suffix_shift(const char *s)
{
	if (s[0] == '\0')
		return 0;
	if (s[1] != '\0')
		return -1;
	switch (s[0]) {
	case 'k': case 'K':
		return 10;
	case 'm': case 'M':
		return 20;
	case 'g': case 'G':
		return 30;
	default:
		return -1;
	}
}

int memsize_check(uint64_t bytes)
{
	if (bytes < MEMSIZE_MIN)
		return MEMSIZE_TOO_SMALL;
	if (bytes > MEMSIZE_MAX)
		return MEMSIZE_TOO_BIG;
	if (bytes % MEMSIZE_ALIGN)
		return MEMSIZE_UNALIGNED;
	return MEMSIZE_OK;
}

int memsize_parse(const char *s, uint64_t *bytes)
{
	unsigned long long n;
	char *end;
	int shift, err;

	/* strtoull() would accept leading blanks, "+" and "-" (negated). */
	if (!isdigit((unsigned char)s[0]))
		return MEMSIZE_SYNTAX;
	errno = 0;
	n = strtoull(s, &end, 10);
	if (errno == ERANGE)
		return MEMSIZE_TOO_BIG;
	shift = suffix_shift(end);
	if (shift < 0)
		return MEMSIZE_SYNTAX;
	if (n > (UINT64_MAX >> shift))
		return MEMSIZE_TOO_BIG;
	err = memsize_check((uint64_t)n << shift);
	if (err == MEMSIZE_OK)
		*bytes = (uint64_t)n << shift;
	return err;
}

const char *memsize_strerror(int err)
{
	switch (err) {
	case MEMSIZE_OK:
		return "valid";
	case MEMSIZE_SYNTAX:
		return "not a size (a number of bytes with an optional K, M or G suffix)";
	case MEMSIZE_TOO_SMALL:
		return "below the minimum of 1M";
	case MEMSIZE_TOO_BIG:
		return "above the maximum of 16G";
	case MEMSIZE_UNALIGNED:
		return "not a multiple of 4K";
	default:
		return "invalid";
	}
}
