// SPDX-License-Identifier: GPL-2.0
/* The ROM loader: exactly 64 KiB or a precise error, and dst untouched. */
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "rom.h"
#include "tap.h"

static char dir[] = "/tmp/vireo-test-rom.XXXXXX";
static unsigned char rom[ROM_SIZE];

static const char *make_file(const char *name, size_t size)
{
	static char path[256];
	unsigned char *buf = malloc(size + 1);
	FILE *f;
	size_t i;

	snprintf(path, sizeof(path), "%s/%s", dir, name);
	for (i = 0; i < size; i++)
		buf[i] = (unsigned char)(i * 7 + (i >> 8));
	f = fopen(path, "w");
	if (!f || fwrite(buf, 1, size, f) != size || fclose(f))
		diag("cannot write %s", path);
	free(buf);
	return path;
}

static void test_good(void)
{
	const char *path = make_file("good.rom", ROM_SIZE);
	off_t size;
	size_t i, bad = 0;

	memset(rom, 0xee, sizeof(rom));
	is_int(rom_load(path, rom, &size), 0, "64 KiB ROM is accepted");
	for (i = 0; i < ROM_SIZE; i++)
		bad += rom[i] != (unsigned char)(i * 7 + (i >> 8));
	is_int(bad, 0, "every byte lands at its offset");
	ok(rom[0xfff0] == (unsigned char)(0xfff0 * 7 + 0xff),
	   "byte 0xFFF0 (the reset vector) is in place");
	is_int(size, ROM_SIZE, "file size is reported");
}

static void test_bad_size(const char *name, size_t len)
{
	const char *path = make_file(name, len);
	off_t size;

	memset(rom, 0xee, sizeof(rom));
	is_int(rom_load(path, rom, &size), -EINVAL,
	       "%zu-byte file is rejected with -EINVAL", len);
	is_int(size, len, "...and its size is reported");
	ok(rom[0] == 0xee && rom[ROM_SIZE - 1] == 0xee,
	   "...and the ROM buffer is untouched");
}

static void test_not_a_rom(void)
{
	char path[256];
	off_t size;

	snprintf(path, sizeof(path), "%s/missing.rom", dir);
	is_int(rom_load(path, rom, &size), -ENOENT,
	       "missing file is rejected with -ENOENT");
	is_int(rom_load(dir, rom, &size), -EISDIR,
	       "directory is rejected with -EISDIR");
	is_int(rom_load("/dev/null", rom, &size), -ENODEV,
	       "character device is rejected with -ENODEV");
}

int main(void)
{
	char cmd[64];

	if (!mkdtemp(dir))
		return 1;
	test_good();
	test_bad_size("empty.rom", 0);
	test_bad_size("short.rom", ROM_SIZE - 1);
	test_bad_size("long.rom", ROM_SIZE + 1);
	test_bad_size("128k.rom", 2 * ROM_SIZE);
	test_not_a_rom();
	snprintf(cmd, sizeof(cmd), "rm -rf '%s'", dir);
	if (system(cmd))
		diag("cannot remove %s", dir);
	return tap_done();
}
