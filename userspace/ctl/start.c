// SPDX-License-Identifier: GPL-2.0
/*
 * vmctl start: the VM process (vireo-vm --config ... --runtime ...),
 * detached, its stderr in Logs/vireo-vm.log and the serial console in
 * Logs/console.log (the last 3 of each kept, as VirtualBox keeps
 * VBox.log.1-3).  Where systemd is the init and vmctl runs as root, the VM
 * process is a transient unit of it (start_unit.c), so that systemctl stop
 * and a host shutdown press its power button as they do for
 * vireo-vm@NAME.service; elsewhere, or when others could change the
 * folders systemd would open the logs by, a plain daemon in a session of
 * its own, given the logs as open files.  Returns once the VM process
 * serves its control socket, or with its log's end if it failed to start.
 */
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <poll.h>
#include <sys/pidfd.h>
#include <sys/stat.h>
#include <sys/wait.h>

#include "vmctl.h"

#define LOGS_KEPT	3
#define START_WAIT_MS	30000

/* Logs/ of a VM folder, opened once; its files made in it. */
struct logs {
	int dir;
	int err;			/* vireo-vm.log: vireo-vm's stderr */
	int out;			/* console.log: the serial console */
	char path[PATH_MAX + 8];	/* the folder */
	char log[PATH_MAX + 32];	/* its two files, by path */
	char console[PATH_MAX + 32];
};

/* name -> name.1 -> ... -> name.LOGS_KEPT in Logs/, the oldest dropped. */
static void rotate(int dir, const char *name)
{
	char from[64], to[64];
	int i;

	for (i = LOGS_KEPT; i > 0; i--) {
		snprintf(to, sizeof(to), "%s.%d", name, i);
		if (i == 1)
			snprintf(from, sizeof(from), "%s", name);
		else
			snprintf(from, sizeof(from), "%s.%d", name, i - 1);
		renameat(dir, from, dir, to);
	}
}

/*
 * A log file in Logs/, never through a link, a FIFO or another's file: the
 * guest's console goes there, and vmctl may run as root on a folder that
 * someone else can write.
 */
static int open_log(const struct logs *l, const char *name)
{
	struct stat st;
	int fd = openat(l->dir, name, O_WRONLY | O_CREAT | O_APPEND |
			O_NOFOLLOW | O_NONBLOCK | O_CLOEXEC, 0600);

	if (fd < 0) {
		vmctl_err("cannot create %s/%s: %m", l->path, name);
		return -1;
	}
	if (fstat(fd, &st) || !S_ISREG(st.st_mode) ||
	    st.st_uid != geteuid()) {
		vmctl_err("%s/%s is not a file of yours: remove it", l->path,
			  name);
		close(fd);
		return -1;
	}
	return fd;
}

static void close_logs(struct logs *l)
{
	if (l->dir >= 0)
		close(l->dir);
	if (l->err >= 0)
		close(l->err);
	if (l->out >= 0)
		close(l->out);
	l->dir = l->err = l->out = -1;
}

/* Logs/ made, or opened as it is, a private folder of ours; rotated. */
static int open_logs(const char *dir, struct logs *l)
{
	struct stat st;

	l->dir = l->err = l->out = -1;
	snprintf(l->path, sizeof(l->path), "%s/Logs", dir);
	if (mkdir(l->path, 0700) && errno != EEXIST) {
		vmctl_err("cannot create %s: %m", l->path);
		return -1;
	}
	l->dir = open(l->path, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
	if (l->dir < 0 || fstat(l->dir, &st) || st.st_uid != geteuid() ||
	    (st.st_mode & 022)) {
		vmctl_err("%s is not a private folder of yours (a link?): remove it",
			  l->path);
		close_logs(l);
		return -1;
	}
	rotate(l->dir, "vireo-vm.log");
	rotate(l->dir, "console.log");
	l->err = open_log(l, "vireo-vm.log");
	l->out = l->err < 0 ? -1 : open_log(l, "console.log");
	if (l->out < 0) {
		close_logs(l);
		return -1;
	}
	snprintf(l->log, sizeof(l->log), "%s/vireo-vm.log", l->path);
	snprintf(l->console, sizeof(l->console), "%s/console.log", l->path);
	return 0;
}

void vmctl_show_log_end(const char *log)
{
	char line[512];
	FILE *f = fopen(log, "re");

	if (!f)
		return;
	while (fgets(line, sizeof(line), f))
		fprintf(stderr, "  %s", line);
	fclose(f);
}

static void child(const char *vm, const char *settings, const char *rundir,
		  const struct logs *l)
{
	int null = open("/dev/null", O_RDONLY);

	if (null < 0 || setsid() < 0 || dup2(null, 0) < 0 ||
	    dup2(l->out, 1) < 0 || dup2(l->err, 2) < 0)
		_exit(127);
	/* O_NONBLOCK was for the opening only (a FIFO would have hung it). */
	fcntl(1, F_SETFL, O_APPEND);
	fcntl(2, F_SETFL, O_APPEND);
	/* vireo-vm gets stdin, stdout, stderr and nothing else of ours. */
	close_range(3, ~0U, 0);
	execlp(vm, vm, "--config", settings, "--runtime", rundir,
	       (char *)NULL);
	fprintf(stderr, "vmctl: cannot run %s: %m\n", vm);
	_exit(127);
}

/* Whether the VM process ended; a unit's is not our child: its pidfd says. */
static bool ended(bool unit, pid_t pid, int pidfd, int *wstatus)
{
	struct pollfd p = { .fd = pidfd, .events = POLLIN };

	if (unit)
		return poll(&p, 1, 0) > 0;
	return waitpid(pid, wstatus, WNOHANG) == pid;
}

int vmctl_cmd_start(struct vmctl *ctl, int argc, char **argv)
{
	char dir[PATH_MAX], settings[PATH_MAX], rundir[300], vm[PATH_MAX];
	struct logs l = { .dir = -1, .err = -1, .out = -1 };
	struct vm_settings s;
	struct vm_run r;
	unsigned int waited;
	int status, wstatus = 0, pidfd = -1;
	bool unit;
	pid_t pid;

	bool attach = argc == 3 && !strcmp(argv[2], "--console");

	if (argc < 2 || argc > 3 || argv[1][0] == '-' || (argc == 3 && !attach))
		return vmctl_usage_err(ctl, "start VM [--console]");
	/* Held until the VM serves: two starts of one VM wait in turn. */
	status = vmctl_lock(ctl, false);
	if (status == VMCTL_OK)
		status = vmctl_find_vm(ctl, argv[1], dir, sizeof(dir), &s);
	if (status != VMCTL_OK)
		return status;
	status = vmctl_vm_run(&s, dir, &r);
	if (status == VMCTL_OK && r.state == VM_RUNNING) {
		vmctl_err("%s is running already (pid %d)", s.name, (int)r.pid);
		status = VMCTL_STATE;
	} else if (status == VMCTL_OK && r.other_config[0]) {
		vmctl_err("a copy of %s with the same UUID is running (from %s): stop it first",
			  s.name, r.other_config);
		status = VMCTL_STATE;
	}
	if (status != VMCTL_OK)
		goto out;
	if (r.state == VM_CRASHED) {
		struct vmctl_conn c;

		/*
		 * What a VM process that did not end cleanly left, unless
		 * something still answers there (a process vmctl cannot see
		 * in /proc, say): never a second process on one VM.
		 */
		int err = vmctl_connect(&r, &c, 1000);

		/* Only a refused connection, or no socket, says dead. */
		if (err != -ECONNREFUSED && err != -ENOENT) {
			if (!err)
				vmctl_conn_close(&c);
			vmctl_err("%s's control socket %s answers though its process (pid %d) looks gone: not starting a second one",
				  s.name, r.socket_path, (int)r.pid);
			status = VMCTL_STATE;
			goto out;
		}
		unlink(r.state_path);
		unlink(r.socket_path);
	}
	status = vmctl_runtime_folder(rundir, sizeof(rundir), true);
	if (status != VMCTL_OK)
		goto out;
	if (open_logs(dir, &l)) {
		status = VMCTL_FAILED;
		goto out;
	}
	vmctl_settings_path(dir, settings, sizeof(settings));
	vmctl_vireo_vm_path(vm, sizeof(vm));
	unit = vmctl_unit_wanted(l.path, rundir);
	if (unit) {
		pid = vmctl_start_unit(&s, vm, settings, rundir, l.log,
				       l.console, &pidfd);
		if (pid < 0) {
			status = VMCTL_FAILED;
			goto out;
		}
	} else {
		pid = fork();
		if (pid < 0) {
			vmctl_err("cannot start %s: %m", s.name);
			status = VMCTL_FAILED;
			goto out;
		}
		if (pid == 0)
			child(vm, settings, rundir, &l);
	}
	close_logs(&l);
	for (waited = 0; waited < START_WAIT_MS; waited += 50) {
		if (ended(unit, pid, pidfd, &wstatus)) {
			if (unit)
				vmctl_err("%s did not start (journalctl -u vireo-vm-%s says more); its log, %s:",
					  s.name, s.uuid, l.log);
			else
				vmctl_err("%s did not start (%s %d); its log, %s:",
					  s.name, WIFEXITED(wstatus) ? "status" :
					  "signal", WIFEXITED(wstatus) ?
					  WEXITSTATUS(wstatus) :
					  WTERMSIG(wstatus), l.log);
			vmctl_show_log_end(l.log);
			status = VMCTL_FAILED;
			goto out;
		}
		if (!access(r.state_path, F_OK) && vmctl_ask_ok(&r, "status"))
			break;
		usleep(50 * 1000);
	}
	if (waited >= START_WAIT_MS) {
		vmctl_err("%s (pid %d) did not answer in %d s: ending it; see %s",
			  s.name, (int)pid, START_WAIT_MS / 1000, l.log);
		if (unit) {
			pidfd_send_signal(pidfd, SIGKILL, NULL, 0);
		} else {
			kill(pid, SIGKILL);
			waitpid(pid, NULL, 0);
		}
		status = VMCTL_FAILED;
		goto out;
	}
	printf("%s started (pid %d)\n", s.name, (int)pid);
	if (attach) {
		fflush(stdout);
		/* Others may use the root while we watch. */
		close(ctl->lock_fd);
		ctl->lock_fd = -1;
		status = vmctl_console_attach(&s, &r);
	}
out:
	close_logs(&l);
	if (pidfd >= 0)
		close(pidfd);
	settings_free(&s);
	return status;
}
