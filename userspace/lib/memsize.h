/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Parsing and validation of a guest RAM size (vireo-vm --mem, and the
 * settings vmctl writes).
 */
#ifndef VIREO_MEMSIZE_H
#define VIREO_MEMSIZE_H

#include <stdint.h>

#define MEMSIZE_DEFAULT	(16ULL << 20)		/* --rom */
#define MEMSIZE_KERNEL_DEFAULT	(256ULL << 20)	/* --kernel */
#define MEMSIZE_MIN	(1ULL << 20)
/*
 * With --kernel, RAM past PC_PCI_HOLE (3 GiB) is mapped at 4 GiB
 * (memmap_build_kernel()), in four slots at most whatever the size; 16 GiB
 * needs 35 guest-physical address bits, which every backend has.
 */
#define MEMSIZE_MAX	(16ULL << 30)
/*
 * With --rom, RAM is one block at GPA 0 and must stay clear of the ROM
 * below 4 GiB and of where PCI MMIO will go: at most 3.5 GiB.
 */
#define MEMSIZE_ROM_MAX	(0xe0000000ULL)
#define MEMSIZE_ALIGN	(4ULL << 10)

enum memsize_err {
	MEMSIZE_OK,
	MEMSIZE_SYNTAX,		/* not a number with an optional K/M/G */
	MEMSIZE_TOO_SMALL,
	MEMSIZE_TOO_BIG,	/* also: overflows 64 bits */
	MEMSIZE_UNALIGNED,
};

/*
 * Parse a decimal byte count with an optional K, M or G suffix (binary
 * multiples, either case), e.g. "16M", "1048576", "1g", and check it is a
 * usable RAM size (MEMSIZE_MIN to MEMSIZE_MAX; --rom's lower ceiling is
 * the caller's to check).  Returns a memsize_err; *bytes is set only on success.
 */
int memsize_parse(const char *s, uint64_t *bytes);
/* The same checks on a number of bytes: a memsize_err. */
int memsize_check(uint64_t bytes);

const char *memsize_strerror(int err);

#endif /* VIREO_MEMSIZE_H */
