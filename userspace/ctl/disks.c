// SPDX-License-Identifier: GPL-2.0
/*
 * A VM's disks (create's and modify's --disk, modify's --remove-disk,
 * show's list): an existing raw image or block device, kept by absolute
 * path, or a new sparse image made in the VM's folder and kept by its
 * name there, so that the folder moves with its images.  Nothing is
 * ever overwritten, and nothing removed from the settings is deleted.
 */
#include <ctype.h>
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <linux/fs.h>
#include <sys/ioctl.h>
#include <sys/stat.h>

#include "vmctl.h"

#define DISK_MIN	(1ULL << 20)
/* Larger than any disk meant; a typo's extra digits stop here. */
#define DISK_MAX	(64ULL << 40)
#define SECTOR		512
/* diskN.img: the first N free, N below this. */
#define DISK_NAMES	1000

static int size_shift(const char *suffix)
{
	if (!suffix[0])
		return 0;
	if (suffix[1])
		return -1;
	switch (toupper((unsigned char)suffix[0])) {
	case 'K':
		return 10;
	case 'M':
		return 20;
	case 'G':
		return 30;
	case 'T':
		return 40;
	default:
		return -1;
	}
}

/* SIZE: bytes, or with a K, M, G or T suffix; 0 or -EINVAL. */
static int disk_size_parse(const char *arg, uint64_t *out)
{
	unsigned long long n;
	char *end;
	int shift;

	/* strtoull() would take blanks and signs. */
	if (!isdigit((unsigned char)arg[0]))
		return -EINVAL;
	errno = 0;
	n = strtoull(arg, &end, 10);
	shift = size_shift(end);
	if (errno || shift < 0 || n > (DISK_MAX >> shift))
		return -EINVAL;
	n <<= shift;
	if (n < DISK_MIN || n % SECTOR)
		return -EINVAL;
	*out = n;
	return 0;
}

/* An existing image the VM will open: readable, writable unless ro. */
static int disk_file(const char *spec, const char *file, bool ro,
		     char *abs)
{
	struct stat st;

	if (!realpath(file, abs) || stat(abs, &st)) {
		if (strcmp(spec, file))
			vmctl_err("--disk %s: %s: %m", spec, file);
		else
			vmctl_err("--disk %s: %m", spec);
		return VMCTL_FAILED;
	}
	if (!S_ISREG(st.st_mode) && !S_ISBLK(st.st_mode)) {
		vmctl_err("--disk %s: %s is not a regular file or a block device",
			  spec, abs);
		return VMCTL_FAILED;
	}
	if (S_ISREG(st.st_mode) && st.st_size < SECTOR) {
		vmctl_err("--disk %s: %s is smaller than one 512-byte sector",
			  spec, abs);
		return VMCTL_FAILED;
	}
	if (access(abs, ro ? R_OK : R_OK | W_OK)) {
		vmctl_err("--disk %s: %s: %m%s", spec, abs,
			  ro ? "" : " (add ,readonly for a disk the guest cannot write)");
		return VMCTL_FAILED;
	}
	if (strchr(abs, ',')) {
		vmctl_err("--disk %s: %s has a comma in its path, which vireo-vm's device specs cannot hold",
			  spec, abs);
		return VMCTL_FAILED;
	}
	return VMCTL_OK;
}

/* The options after FILE or size=SIZE: readonly, serial=S. */
static int disk_flags(struct vmctl *ctl, const char *spec, char *rest,
		      bool *ro, const char **serial)
{
	char *item, *save = NULL, why[128];

	for (item = strtok_r(rest, ",", &save); item;
	     item = strtok_r(NULL, ",", &save)) {
		if (!strcmp(item, "readonly")) {
			*ro = true;
		} else if (!strncmp(item, "serial=", 7) && !*serial) {
			*serial = item + 7;
			if (settings_serial_check(*serial, why, sizeof(why)))
				return vmctl_usage_err(ctl, "--disk %s: %s",
						       spec, why);
		} else {
			return vmctl_usage_err(ctl, "--disk %s: \"%s\": FILE or size=SIZE, then readonly and serial=S",
					       spec, item);
		}
	}
	return VMCTL_OK;
}

static bool disk_listed(const struct vm_settings *s, const char *path)
{
	unsigned int i;

	for (i = 0; i < s->nr_disks; i++)
		if (s->disks[i].path && !strcmp(s->disks[i].path, path))
			return true;
	return false;
}

int vmctl_disk_option(struct vmctl *ctl, const char *spec,
		      struct vm_settings *s)
{
	char *copy = strdup(spec), *rest, abs[PATH_MAX];
	const char *serial = NULL;
	uint64_t size = 0;
	bool ro = false;
	int status;

	if (!copy)
		return VMCTL_FAILED;
	rest = copy + strcspn(copy, ",");
	if (*rest)
		*rest++ = '\0';
	status = disk_flags(ctl, spec, rest, &ro, &serial);
	if (status == VMCTL_OK && !copy[0])
		status = vmctl_usage_err(ctl, "--disk %s: FILE or size=SIZE first",
					 spec);
	if (status == VMCTL_OK && !strncmp(copy, "size=", 5) &&
	    disk_size_parse(copy + 5, &size))
		status = vmctl_usage_err(ctl, "--disk %s: size=%s: a size with K, M, G or T, a multiple of 512, from 1M to 64T",
					 spec, copy + 5);
	if (status == VMCTL_OK && !size)
		status = disk_file(spec, copy, ro, abs);
	if (status == VMCTL_OK && !size && disk_listed(s, abs))
		status = vmctl_usage_err(ctl, "--disk %s: %s is one of the VM's disks already",
					 spec, abs);
	if (status == VMCTL_OK && s->nr_disks == SETTINGS_MAX_DISKS)
		status = vmctl_usage_err(ctl, "a VM has at most %d disks",
					 SETTINGS_MAX_DISKS);
	if (status == VMCTL_OK &&
	    settings_add_disk(s, size ? NULL : abs, ro, serial))
		status = VMCTL_FAILED;
	if (status == VMCTL_OK && size)
		s->disks[s->nr_disks - 1].new_size = size;
	free(copy);
	return status;
}

int vmctl_remove_disk_option(struct vmctl *ctl, const char *arg,
			     struct vm_settings *s,
			     struct vmctl_removed_disk *removed)
{
	unsigned long n;
	char *end;

	errno = 0;
	n = strtoul(arg, &end, 10);
	if (!isdigit((unsigned char)arg[0]) || *end || errno ||
	    n >= s->nr_disks) {
		if (!s->nr_disks)
			return vmctl_usage_err(ctl, "--remove-disk %s: %s has no disks",
					       arg, s->name);
		return vmctl_usage_err(ctl, "--remove-disk %s: %s's disks are 0 to %u (vmctl show %s lists them)",
				       arg, s->name, s->nr_disks - 1, s->name);
	}
	removed->index = n;
	removed->path = s->disks[n].path;
	s->disks[n].path = NULL;	/* the note's now */
	settings_remove_disk(s, n);
	return VMCTL_OK;
}

/* The first free diskN.img in dir, made whole (size bytes, sparse). */
static int make_image(const char *dir, uint64_t size, char **name)
{
	char path[PATH_MAX], base[32];
	unsigned int n;
	int fd = -1;

	for (n = 0; fd < 0 && n < DISK_NAMES; n++) {
		snprintf(base, sizeof(base), "disk%u.img", n);
		if (snprintf(path, sizeof(path), "%s/%s", dir, base) >=
		    (int)sizeof(path)) {
			vmctl_err("%s: path too long", dir);
			return VMCTL_FAILED;
		}
		/* O_EXCL: whatever is there already stays as it is. */
		fd = open(path, O_WRONLY | O_CREAT | O_EXCL | O_NOFOLLOW |
			  O_CLOEXEC, 0600);
		if (fd < 0 && errno != EEXIST) {
			vmctl_err("cannot create %s: %m", path);
			return VMCTL_FAILED;
		}
	}
	if (fd < 0) {
		vmctl_err("%s: disk0.img to disk%u.img all exist", dir,
			  DISK_NAMES - 1);
		return VMCTL_FAILED;
	}
	/* A hole of the whole size: no block is written until the guest does. */
	if (ftruncate(fd, size) || fsync(fd)) {
		vmctl_err("cannot make %s of %llu bytes: %m", path,
			  (unsigned long long)size);
		close(fd);
		unlink(path);
		return VMCTL_FAILED;
	}
	close(fd);
	*name = strdup(base);
	if (!*name) {
		unlink(path);
		return VMCTL_FAILED;
	}
	return VMCTL_OK;
}

int vmctl_make_disks(const char *dir, struct vm_settings *s)
{
	struct vm_disk *d;
	unsigned int i;

	for (i = 0; i < s->nr_disks; i++) {
		d = &s->disks[i];
		if (!d->new_size || d->path)
			continue;
		/* vireo-vm would refuse it: a comma ends a device spec. */
		if (strchr(dir, ',')) {
			vmctl_err("%s: a VM folder with a comma in its path cannot hold disk images (vireo-vm's device specs cannot hold one)",
				  dir);
			break;
		}
		if (make_image(dir, d->new_size, &d->path) != VMCTL_OK)
			break;
	}
	if (i == s->nr_disks)
		return VMCTL_OK;
	vmctl_unmake_disks(dir, s);
	return VMCTL_FAILED;
}

void vmctl_unmake_disks(const char *dir, struct vm_settings *s)
{
	char path[PATH_MAX];
	unsigned int i;

	for (i = 0; i < s->nr_disks; i++) {
		struct vm_disk *d = &s->disks[i];

		if (!d->new_size || !d->path)
			continue;
		if (!settings_disk_path(dir, d, path, sizeof(path)))
			unlink(path);
		free(d->path);
		d->path = NULL;
	}
}

/* Bytes as show prints them: 20G, 1.5G, 512B. */
static void human_size(uint64_t n, char *buf, size_t len)
{
	static const char units[] = "BKMGTP";
	unsigned int u = 0;

	while (u < sizeof(units) - 2 && n >= (1024ULL << (10 * u)))
		u++;
	if (!u || !(n & ((1ULL << (10 * u)) - 1)))
		snprintf(buf, len, "%llu%c", (unsigned long long)(n >> (10 * u)),
			 units[u]);
	else
		snprintf(buf, len, "%.1f%c", (double)n / (1ULL << (10 * u)),
			 units[u]);
}

/* The image's size, or why there is none, into buf. */
static void image_size(const char *path, char *buf, size_t len)
{
	uint64_t bytes = 0;
	struct stat st;
	int fd;

	if (stat(path, &st)) {
		snprintf(buf, len, "(%m)");
		return;
	}
	bytes = st.st_size;
	if (S_ISBLK(st.st_mode)) {
		fd = open(path, O_RDONLY | O_CLOEXEC | O_NONBLOCK);
		if (fd < 0 || ioctl(fd, BLKGETSIZE64, &bytes)) {
			snprintf(buf, len, "(%m)");
			if (fd >= 0)
				close(fd);
			return;
		}
		close(fd);
	} else if (!S_ISREG(st.st_mode)) {
		snprintf(buf, len, "(not a file or a block device)");
		return;
	}
	human_size(bytes, buf, len);
}

void vmctl_show_disks(const struct vm_settings *s, const char *dir)
{
	char path[PATH_MAX], size[64];
	unsigned int i;

	for (i = 0; i < s->nr_disks; i++) {
		const struct vm_disk *d = &s->disks[i];

		if (settings_disk_path(dir, d, path, sizeof(path)))
			snprintf(path, sizeof(path), "%s", d->path);
		image_size(path, size, sizeof(size));
		printf("disk %-5u %s  %s%s%s%s\n", i, path, size,
		       d->readonly ? "  readonly" : "",
		       d->serial ? "  serial=" : "",
		       d->serial ? d->serial : "");
	}
}
