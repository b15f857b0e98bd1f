// SPDX-License-Identifier: GPL-2.0
/*
 * vmctl: the global options, then one command of the table (commands.c).
 */
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <sys/file.h>
#include <sys/stat.h>

#include "release.h"
#include "vmctl.h"

void vmctl_err(const char *fmt, ...)
{
	va_list ap;

	fputs("vmctl: ", stderr);
	va_start(ap, fmt);
	vfprintf(stderr, fmt, ap);
	va_end(ap);
	fputc('\n', stderr);
}

int vmctl_usage_err(struct vmctl *ctl, const char *fmt, ...)
{
	va_list ap;

	fputs("vmctl: ", stderr);
	va_start(ap, fmt);
	vfprintf(stderr, fmt, ap);
	va_end(ap);
	fprintf(stderr, " (see `vmctl help %s`)\n",
		ctl->cmd ? ctl->cmd->name : "");
	return VMCTL_USAGE;
}

int vmctl_default_root(char *buf, size_t len)
{
	const char *env = getenv("VIREO_ROOT");
	const char *xdg = getenv("XDG_DATA_HOME"), *home = getenv("HOME");
	int n;

	/* XDG's base directories are absolute; a relative one is ignored. */
	if (env && *env)
		n = snprintf(buf, len, "%s", env);
	else if (geteuid() == 0)
		n = snprintf(buf, len, "/var/lib/vireo/vms");
	else if (xdg && xdg[0] == '/')
		n = snprintf(buf, len, "%s/vireo/vms", xdg);
	else if (home && home[0] == '/')
		n = snprintf(buf, len, "%s/.local/share/vireo/vms", home);
	else
		return -ENOENT;
	return n < 0 || (size_t)n >= len ? -ENAMETOOLONG : 0;
}

/* mkdir -p, mode 0755 for what it makes (0700 for a user's own root). */
static int make_dirs(const char *path, mode_t mode)
{
	char buf[PATH_MAX];
	char *p;

	if (snprintf(buf, sizeof(buf), "%s", path) >= (int)sizeof(buf))
		return -ENAMETOOLONG;
	for (p = buf + 1; *p; p++) {
		if (*p != '/')
			continue;
		*p = '\0';
		if (mkdir(buf, mode) && errno != EEXIST)
			return -errno;
		*p = '/';
	}
	if (mkdir(buf, mode) && errno != EEXIST)
		return -errno;
	return 0;
}

int vmctl_lock(struct vmctl *ctl, bool make_root)
{
	char path[PATH_MAX];
	struct stat st;
	int fd, err = 0;

	if (ctl->lock_fd >= 0)
		return VMCTL_OK;
	if (!make_root && stat(ctl->root, &st)) {
		vmctl_err("no VMs in %s: it does not exist", ctl->root);
		return VMCTL_NO_VM;
	}
	if (make_root)
		err = make_dirs(ctl->root, geteuid() ? 0700 : 0755);
	if (err) {
		vmctl_err("cannot create the root %s: %s", ctl->root,
			  strerror(-err));
		return VMCTL_FAILED;
	}
	if (snprintf(path, sizeof(path), "%s/.lock", ctl->root) >=
	    (int)sizeof(path)) {
		vmctl_err("the root %s: path too long", ctl->root);
		return VMCTL_FAILED;
	}
	fd = open(path, O_RDWR | O_CREAT | O_CLOEXEC | O_NOFOLLOW, 0600);
	if (fd < 0) {
		vmctl_err("cannot open %s: %m", path);
		return VMCTL_FAILED;
	}
	/* Another vmctl changing a folder: wait for it (it is quick). */
	while (flock(fd, LOCK_EX)) {
		if (errno == EINTR)
			continue;
		vmctl_err("cannot lock %s: %m", path);
		close(fd);
		return VMCTL_FAILED;
	}
	ctl->lock_fd = fd;
	return VMCTL_OK;
}

static void usage_and_exit(int status)
{
	vmctl_usage(status ? stderr : stdout);
	exit(status);
}

int main(int argc, char **argv)
{
	struct vmctl ctl = { .lock_fd = -1 };
	char root[PATH_MAX];
	int i = 1, status;

	/* Global options come before the command. */
	while (i < argc && argv[i][0] == '-') {
		if (!strcmp(argv[i], "--help") || !strcmp(argv[i], "-h")) {
			usage_and_exit(VMCTL_OK);
		} else if (!strcmp(argv[i], "--version")) {
			release_print_version("vmctl");
			return VMCTL_OK;
		} else if (!strcmp(argv[i], "--root") && i + 1 < argc) {
			ctl.root = argv[i + 1];
			i += 2;
		} else if (!strncmp(argv[i], "--root=", 7)) {
			ctl.root = argv[i] + 7;
			i++;
		} else {
			vmctl_err("unknown option %s (see `vmctl --help`)",
				  argv[i]);
			return VMCTL_USAGE;
		}
	}
	if (i == argc)
		usage_and_exit(VMCTL_USAGE);
	ctl.cmd = vmctl_find_cmd(argv[i]);
	if (!ctl.cmd) {
		vmctl_err("no command %s (see `vmctl --help`)", argv[i]);
		return VMCTL_USAGE;
	}
	if (!ctl.root) {
		if (vmctl_default_root(root, sizeof(root))) {
			vmctl_err("no root for the VMs: set HOME, VIREO_ROOT or --root");
			return VMCTL_FAILED;
		}
		ctl.root = root;
	}
	if (!ctl.root[0]) {
		vmctl_err("--root: an empty path");
		return VMCTL_USAGE;
	}
	status = ctl.cmd->handler(&ctl, argc - i, argv + i);
	if (fflush(stdout) && status == VMCTL_OK) {
		vmctl_err("cannot write the output: %m");
		status = VMCTL_FAILED;
	}
	if (ctl.lock_fd >= 0)
		close(ctl.lock_fd);
	return status;
}
