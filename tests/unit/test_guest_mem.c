// SPDX-License-Identifier: GPL-2.0
/*
 * The guest-memory accessor (guest_mem.c) on the ROM boot's map with a
 * 64 KiB ROM: RAM both ways, ROM for reading only, and every range that
 * leaves a region (a hole, a region's end, a wrap, an empty range)
 * refused, with nothing copied.
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "guest_mem.h"
#include "memmap.h"
#include "tap.h"

#define MiB		(1024 * 1024ULL)
#define ROM_SIZE	0x10000ULL

static uint8_t ram[2 * MiB], rom[ROM_SIZE];

int main(void)
{
	struct memmap_region r[MEMMAP_MAX_REGIONS];
	unsigned int n = memmap_build(sizeof(ram), ROM_SIZE, r);
	struct guest_mem gm;
	uint8_t buf[16], want[16];

	guest_mem_init(&gm, r, n, ram, rom);
	is_int(gm.nr, n, "one region per slot");

	ok(guest_mem_ptr(&gm, 0x1000, 16, true) == ram + 0x1000,
	   "low RAM: its GPA is its offset");
	ok(guest_mem_ptr(&gm, MiB, MiB, true) == ram + MiB,
	   "high RAM, all of it");
	ok(!guest_mem_ptr(&gm, MiB, MiB + 1, true),
	   "one byte past the end of RAM: refused");
	ok(!guest_mem_ptr(&gm, 0x9fff0, 0x20, false),
	   "low RAM running into the VGA hole: refused");
	ok(!guest_mem_ptr(&gm, 0xb8000, 1, false), "the VGA hole: refused");
	ok(!guest_mem_ptr(&gm, 0xeffff, 2, false),
	   "the hole running into the ROM: refused");
	ok(!guest_mem_ptr(&gm, 0x1000, 0, false), "an empty range: refused");
	ok(!guest_mem_ptr(&gm, UINT64_MAX - 7, 16, false),
	   "a range that wraps: refused");
	ok(!guest_mem_ptr(&gm, 0xfee00000, 4, false),
	   "the local APIC page (MMIO): refused");

	ok(guest_mem_ptr(&gm, 0xf0000, ROM_SIZE, false) == rom,
	   "the ROM below 1 MiB reads");
	ok(guest_mem_ptr(&gm, 0xfffffff0, 16, false) == rom + ROM_SIZE - 16,
	   "the reset vector reads the ROM's last 16 bytes");
	ok(!guest_mem_ptr(&gm, 0xf0000, 1, true), "the ROM is not writable");
	ok(!guest_mem_ptr(&gm, 0xfffffff0, 17, false),
	   "past 4 GiB from the ROM: refused");

	memset(want, 0xa5, sizeof(want));
	is_int(guest_mem_write(&gm, 0x2000, want, sizeof(want)), 0,
	       "write to RAM");
	memset(buf, 0, sizeof(buf));
	is_int(guest_mem_read(&gm, 0x2000, buf, sizeof(buf)), 0,
	       "read it back");
	ok(!memcmp(buf, want, sizeof(buf)) && !memcmp(ram + 0x2000, want, 16),
	   "the bytes went to guest RAM and came back");
	memset(buf, 0x11, sizeof(buf));
	is_int(guest_mem_read(&gm, 0x9fff8, buf, sizeof(buf)), -EFAULT,
	       "a read across the hole: -EFAULT");
	ok(buf[0] == 0x11 && buf[15] == 0x11, "...and nothing copied");
	is_int(guest_mem_write(&gm, 0xffff0000, want, 1), -EFAULT,
	       "a write to ROM: -EFAULT");
	ok(rom[0] == 0, "...and the ROM unchanged");
	is_int(guest_mem_read(&gm, 0xb8000, buf, 0), 0,
	       "a zero-length copy does nothing, wherever");
	return tap_done();
}
