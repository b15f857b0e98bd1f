// SPDX-License-Identifier: GPL-2.0
/*
 * What both loaders share: reaching guest RAM, reading the kernel and the
 * initrd, and telling a bzImage from a Multiboot kernel.
 */
#include <errno.h>
#include <fcntl.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "../guest_mem.h"
#include "../memmap.h"
#include "../pc_layout.h"
#include "util.h"
#include "boot.h"

void *boot_gpa(const struct boot_args *a, uint64_t gpa, uint64_t len)
{
	struct memmap_region r[MEMMAP_MAX_REGIONS];
	unsigned int n = memmap_build_kernel(a->ram_size, r);
	struct guest_mem gm;

	guest_mem_init(&gm, r, n, a->ram, NULL);
	return guest_mem_ptr(&gm, gpa, len, true);
}

uint64_t boot_low_ram_top(const struct boot_args *a)
{
	uint64_t top = PC_KERNEL_START + e820_usable_run(a->e820,
							 PC_KERNEL_START);
	uint64_t backed = a->ram_size < PC_PCI_HOLE ? a->ram_size
						    : PC_PCI_HOLE;

	return top < backed ? top : backed;
}

static int read_all(const char *path, int fd, uint8_t *dst, uint64_t len)
{
	while (len) {
		ssize_t n = read(fd, dst, len > (1u << 30) ? 1u << 30 : len);

		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0) {
			int err = errno;

			pr_err("%s: read error: %s\n", path, strerror(err));
			return -err;
		}
		if (n == 0) {
			pr_err("%s: file shrank while being read\n", path);
			return -EIO;
		}
		dst += n;
		len -= n;
	}
	return 0;
}

/*
 * Files opened once and read again at every reset from the same open file
 * (boot_keep_open()): the VM process needs no open() once it runs, so its
 * system call filter (seccomp.h) can leave open() out.
 */
#define BOOT_KEPT_FILES	2	/* the kernel and the initrd */

static struct {
	const char *path;
	int fd;
} kept[BOOT_KEPT_FILES];

int boot_keep_open(const char *path)
{
	unsigned int i;
	int fd;

	for (i = 0; i < BOOT_KEPT_FILES && kept[i].path; i++)
		if (!strcmp(kept[i].path, path))
			return 0;
	if (i == BOOT_KEPT_FILES)
		return -ENOSPC;
	fd = open(path, O_RDONLY | O_CLOEXEC);
	if (fd < 0) {
		int err = errno;

		pr_err("%s: %s\n", path, strerror(err));
		return -err;
	}
	kept[i].path = path;
	kept[i].fd = fd;
	return 0;
}

/* A new descriptor for path: of the kept file, from its start, or open. */
static int open_file(const char *path)
{
	unsigned int i;
	int fd;

	for (i = 0; i < BOOT_KEPT_FILES && kept[i].path; i++) {
		if (strcmp(kept[i].path, path))
			continue;
		fd = fcntl(kept[i].fd, F_DUPFD_CLOEXEC, 0);
		if (fd >= 0 && lseek(fd, 0, SEEK_SET) < 0) {
			close(fd);
			fd = -1;
		}
		return fd;
	}
	return open(path, O_RDONLY | O_CLOEXEC);
}

/* Open a regular file; *size is its length. */
static int open_sized(const char *path, int *fd, uint64_t *size)
{
	struct stat st;
	int err;

	*fd = open_file(path);
	if (*fd < 0) {
		err = errno;
		pr_err("%s: %s\n", path, strerror(err));
		return -err;
	}
	if (fstat(*fd, &st) < 0) {
		err = errno;
		pr_err("%s: %s\n", path, strerror(err));
		close(*fd);
		return -err;
	}
	if (!S_ISREG(st.st_mode)) {
		pr_err("%s: not a regular file\n", path);
		close(*fd);
		return -EINVAL;
	}
	*size = st.st_size;
	return 0;
}

int boot_read_file(const char *path, uint64_t max, uint8_t **buf,
		   size_t *len)
{
	uint64_t size;
	int fd, err;

	err = open_sized(path, &fd, &size);
	if (err)
		return err;
	if (size > max) {
		pr_err("%s: %llu bytes, more than the %llu MiB of guest RAM it could go in\n",
		       path, (unsigned long long)size,
		       (unsigned long long)(max >> 20));
		close(fd);
		return -EFBIG;
	}
	*buf = malloc(size ? size : 1);
	if (!*buf) {
		pr_err("%s: cannot allocate %llu bytes to read it\n", path,
		       (unsigned long long)size);
		close(fd);
		return -ENOMEM;
	}
	err = read_all(path, fd, *buf, size);
	close(fd);
	if (err) {
		free(*buf);
		return err;
	}
	*len = size;
	return 0;
}

int boot_open_initrd(const char *path, int *fd, uint64_t *size)
{
	int err = open_sized(path, fd, size);

	if (err)
		return err;
	if (!*size) {
		pr_err("%s: initrd is empty\n", path);
		close(*fd);
		return -EINVAL;
	}
	return 0;
}

int boot_read_initrd(const struct boot_args *a, const char *path, int fd,
		     uint64_t gpa, uint64_t size)
{
	uint8_t *dst = boot_gpa(a, gpa, size);
	int err;

	if (!dst) {
		pr_err("%s: 0x%llx-0x%llx is not guest RAM\n", path,
		       (unsigned long long)gpa,
		       (unsigned long long)(gpa + size - 1));
		close(fd);
		return -EFAULT;
	}
	err = read_all(path, fd, dst, size);
	close(fd);
	return err;
}

typedef int (*loader_fn)(const struct boot_args *a, const uint8_t *img,
			 size_t len, struct boot_cpu_state *out);

static int boot_with(const struct boot_args *a, loader_fn load,
		     struct boot_cpu_state *out)
{
	uint8_t *img;
	size_t len;
	int err;

	if (!a->kernel || !a->ram || !a->e820) {
		pr_err("boot: no kernel, guest RAM or memory map given\n");
		return -EINVAL;
	}
	err = boot_read_file(a->kernel, a->ram_size, &img, &len);
	if (err)
		return err;
	err = load(a, img, len, out);
	free(img);
	return err;
}

int boot_linux(const struct boot_args *a, struct boot_cpu_state *out)
{
	return boot_with(a, bzimage_load, out);
}

int boot_multiboot(const struct boot_args *a, struct boot_cpu_state *out)
{
	return boot_with(a, multiboot_load, out);
}

/*
 * Linux first: its setup header sits at a fixed offset, while a Multiboot
 * header is found by a search that any file might happen to satisfy.
 */
static int detect_and_load(const struct boot_args *a, const uint8_t *img,
			   size_t len, struct boot_cpu_state *out)
{
	if (bzimage_detect(img, len))
		return bzimage_load(a, img, len, out);
	if (multiboot_find_header(img, len) >= 0)
		return multiboot_load(a, img, len, out);
	pr_err("%s: neither a Linux bzImage (no \"HdrS\" at 0x202) nor a Multiboot kernel (no header in the first 8 KiB)\n",
	       a->kernel);
	return -ENOEXEC;
}

int boot_kernel(const struct boot_args *a, struct boot_cpu_state *out)
{
	return boot_with(a, detect_and_load, out);
}
