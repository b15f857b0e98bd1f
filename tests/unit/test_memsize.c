// SPDX-License-Identifier: GPL-2.0
/* Parsing --mem: suffixes, bounds, alignment, junk. */
#include "memsize.h"
#include "tap.h"

static void accepts(const char *s, uint64_t want)
{
	uint64_t got = 0;
	int err = memsize_parse(s, &got);

	ok(err == MEMSIZE_OK && got == want, "\"%s\" is %llu bytes (got %llu, %s)",
	   s, (unsigned long long)want, (unsigned long long)got,
	   memsize_strerror(err));
}

static void rejects(const char *s, int want)
{
	uint64_t got = 12345;
	int err = memsize_parse(s, &got);

	ok(err == want && got == 12345, "\"%s\" is rejected: %s (got: %s)", s,
	   memsize_strerror(want), memsize_strerror(err));
}

int main(void)
{
	accepts("16M", 16ULL << 20);
	accepts("16m", 16ULL << 20);
	accepts("1024K", 1ULL << 20);
	accepts("1G", 1ULL << 30);
	accepts("3584M", 0xe0000000ULL);
	accepts("4G", 4ULL << 30);
	accepts("16G", 16ULL << 30);
	accepts("16777216K", 16ULL << 30);
	accepts("1M", 1ULL << 20);
	accepts("1048576", 1ULL << 20);
	accepts("1052672", (1ULL << 20) + 4096);

	rejects("", MEMSIZE_SYNTAX);
	rejects("M", MEMSIZE_SYNTAX);
	rejects("16X", MEMSIZE_SYNTAX);
	rejects("16MB", MEMSIZE_SYNTAX);
	rejects("-16M", MEMSIZE_SYNTAX);
	rejects(" 16M", MEMSIZE_SYNTAX);
	rejects("+16M", MEMSIZE_SYNTAX);
	rejects("0x100000", MEMSIZE_SYNTAX);
	rejects("1.5G", MEMSIZE_SYNTAX);
	rejects("1020K", MEMSIZE_TOO_SMALL);
	rejects("0", MEMSIZE_TOO_SMALL);
	rejects("17G", MEMSIZE_TOO_BIG);
	rejects("16385M", MEMSIZE_TOO_BIG);
	rejects("17179873280", MEMSIZE_TOO_BIG);	/* 16G + 4K */
	rejects("17179869184G", MEMSIZE_TOO_BIG);
	rejects("99999999999999999999999", MEMSIZE_TOO_BIG);
	rejects("1048577", MEMSIZE_UNALIGNED);
	rejects("1050000", MEMSIZE_UNALIGNED);
	return tap_done();
}
