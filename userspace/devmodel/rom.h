/* SPDX-License-Identifier: GPL-2.0 */
/*
 * BIOS-style ROM images: exactly 64 KiB, mapped so that they end at 1 MiB
 * and at 4 GiB.  The last 16 bytes hold the reset vector.
 */
#ifndef VIREO_ROM_H
#define VIREO_ROM_H

#include <sys/types.h>

#define ROM_SIZE	0x10000

/*
 * Read the ROM at path into dst (ROM_SIZE bytes).  Returns 0 or -errno:
 * -EINVAL when the file is not exactly ROM_SIZE bytes (its size is stored in
 * *file_size), -EISDIR / -ENODEV when it is not a regular file, -EIO when
 * it shrinks while being read, or open()'s and read()'s errors.  dst is
 * untouched unless the whole image was read.
 */
int rom_load(const char *path, void *dst, off_t *file_size);

/* Print why rom_load() failed, prefixed with "vireo-vm: ". */
void rom_report_error(const char *path, int err, off_t file_size);

#endif /* VIREO_ROM_H */
