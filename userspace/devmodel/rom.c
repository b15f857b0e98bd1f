// SPDX-License-Identifier: GPL-2.0
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "rom.h"
#include "util.h"

static int rom_check_file(int fd, off_t *file_size)
{
	struct stat st;

	if (fstat(fd, &st) < 0)
		return -errno;
	if (S_ISDIR(st.st_mode))
		return -EISDIR;
	if (!S_ISREG(st.st_mode))
		return -ENODEV;
	*file_size = st.st_size;
	return st.st_size == ROM_SIZE ? 0 : -EINVAL;
}

/* Read exactly len bytes; a file that shrank under us is an I/O error. */
static int read_full(int fd, unsigned char *buf, size_t len)
{
	size_t done = 0;
	ssize_t n;

	while (done < len) {
		n = read(fd, buf + done, len - done);
		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0)
			return -errno;
		if (n == 0)
			return -EIO;
		done += n;
	}
	return 0;
}

int rom_load(const char *path, void *dst, off_t *file_size)
{
	unsigned char *buf;
	int fd, ret;

	*file_size = -1;
	fd = open(path, O_RDONLY | O_CLOEXEC);
	if (fd < 0)
		return -errno;
	ret = rom_check_file(fd, file_size);
	if (ret)
		goto out_close;
	buf = malloc(ROM_SIZE);
	if (!buf) {
		ret = -ENOMEM;
		goto out_close;
	}
	ret = read_full(fd, buf, ROM_SIZE);
	if (!ret)
		memcpy(dst, buf, ROM_SIZE);
	free(buf);
out_close:
	close(fd);
	return ret;
}

void rom_report_error(const char *path, int err, off_t file_size)
{
	if (err == -EINVAL)
		pr_err("ROM %s is %lld bytes, not %d: a BIOS-style ROM is 64 KiB\n",
		       path, (long long)file_size, ROM_SIZE);
	else if (err == -ENODEV)
		pr_err("ROM %s is not a regular file\n", path);
	else if (err == -EIO)
		pr_err("ROM %s: file shrank while being read\n", path);
	else
		pr_err("cannot read ROM %s: %s\n", path, strerror(-err));
}
