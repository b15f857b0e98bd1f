// SPDX-License-Identifier: GPL-2.0
/*
 * Vireo's release, the loaded module's, and advice when they differ
 * (release.h).  The module says its release as MODULE_VERSION, from the
 * same VERSION file (kernel/Kbuild).
 */
#include <ctype.h>
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "release.h"

#ifndef VIREO_VERSION
#error "VIREO_VERSION comes from the VERSION file (userspace/build.mk)"
#endif

#define MODULE_VERSION_FILE "/sys/module/vireo/version"

const char *vireo_release(void)
{
	return VIREO_VERSION;
}

int release_of_module(char *buf, size_t len)
{
	ssize_t n;
	int fd;

	if (!len)
		return -EINVAL;
	buf[0] = '\0';
	fd = open(MODULE_VERSION_FILE, O_RDONLY | O_CLOEXEC);
	if (fd < 0) {
		if (access("/sys/module/vireo", F_OK))
			return -ENOENT;
		return -ENODATA;
	}
	n = read(fd, buf, len - 1);
	close(fd);
	if (n <= 0)
		return -ENODATA;
	buf[n] = '\0';
	buf[strcspn(buf, "\n")] = '\0';
	return buf[0] ? 0 : -ENODATA;
}

int release_cmp(const char *a, const char *b)
{
	while (*a || *b) {
		unsigned long x, y;
		char *ea, *eb;
		int da = isdigit((unsigned char)*a);
		int db = isdigit((unsigned char)*b);

		if (!da || !db) {
			if (da != db)
				return da ? 1 : -1;
			return strcmp(a, b) < 0 ? -1 : strcmp(a, b) > 0;
		}
		x = strtoul(a, &ea, 10);
		y = strtoul(b, &eb, 10);
		if (x != y)
			return x < y ? -1 : 1;
		a = ea;
		b = eb;
		if (*a == '.' && *b == '.') {
			a++;
			b++;
		} else if (*a == '.' || *b == '.') {
			/* 0.12 < 0.12.1: the longer one is newer. */
			return *a == '.' ? 1 : -1;
		}
	}
	return 0;
}

void release_print_version(const char *prog)
{
	char module[64], advice[320];
	int err = release_of_module(module, sizeof(module));

	printf("%s %s\n", prog, vireo_release());
	if (err == -ENOENT) {
		printf("vireo.ko is not loaded\n");
		return;
	}
	printf("vireo.ko %s\n", err ? "(a release before 0.12.0)" : module);
	if (release_advice(prog, vireo_release(), err ? NULL : module, advice,
			   sizeof(advice)))
		printf("note: %s\n", advice);
}

int release_advice(const char *prog, const char *ours, const char *module,
		   char *buf, size_t len)
{
	int cmp = module ? release_cmp(module, ours) : -1;

	if (!len)
		return 0;
	buf[0] = '\0';
	if (!cmp)
		return 0;
	if (cmp < 0)
		snprintf(buf, len,
			 "the loaded vireo.ko (%s%s) is older than %s %s: once no VM runs, load the new one (modprobe -r vireo && modprobe vireo)",
			 module ? "release " : "a release before 0.12.0",
			 module ? module : "", prog, ours);
	else
		snprintf(buf, len,
			 "%s %s is older than the loaded vireo.ko (release %s): upgrade %s (the vireo package) to %s",
			 prog, ours, module, prog, module);
	return 1;
}
