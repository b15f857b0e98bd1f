// SPDX-License-Identifier: GPL-2.0
/*
 * vmctl start: the VM process (vireo-vm --config ... --runtime ...),
 * detached in a session of its own, its stderr in Logs/vireo-vm.log and
 * the serial console in Logs/console.log (the last 3 of each kept, as
 * VirtualBox keeps VBox.log.1-3).  Returns once the VM process serves its
 * control socket, or with its log's end if it failed to start.
 */
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <sys/stat.h>
#include <sys/wait.h>

#include "vmctl.h"

#define LOGS_KEPT	3
#define START_WAIT_MS	30000

/* log -> log.1 -> ... -> log.LOGS_KEPT, the oldest dropped. */
static void rotate(const char *log)
{
	char from[PATH_MAX + 48], to[PATH_MAX + 48];
	int i;

	for (i = LOGS_KEPT; i > 0; i--) {
		snprintf(to, sizeof(to), "%s.%d", log, i);
		if (i == 1)
			snprintf(from, sizeof(from), "%s", log);
		else
			snprintf(from, sizeof(from), "%s.%d", log, i - 1);
		rename(from, to);
	}
}

/* vireo-vm beside this vmctl (a build tree, an install), else PATH's. */
static void vireo_vm_path(char *buf, size_t len)
{
	const char *env = getenv("VIREO_VM");
	char self[PATH_MAX - 16];
	ssize_t n;
	char *slash;

	if (env && *env) {
		snprintf(buf, len, "%s", env);
		return;
	}
	n = readlink("/proc/self/exe", self, sizeof(self) - 1);
	if (n > 0) {
		self[n] = '\0';
		slash = strrchr(self, '/');
		if (slash) {
			*slash = '\0';
			snprintf(buf, len, "%s/vireo-vm", self);
			if (!access(buf, X_OK))
				return;
		}
	}
	snprintf(buf, len, "vireo-vm");
}

static void show_log_end(const char *log)
{
	char line[512];
	FILE *f = fopen(log, "r");

	if (!f)
		return;
	while (fgets(line, sizeof(line), f))
		fprintf(stderr, "  %s", line);
	fclose(f);
}

static void child(const char *vm, const char *settings, const char *rundir,
		  const char *log, const char *console)
{
	int null = open("/dev/null", O_RDONLY);
	int out = open(console, O_WRONLY | O_CREAT | O_APPEND | O_NOFOLLOW,
		       0600);
	int err = open(log, O_WRONLY | O_CREAT | O_APPEND | O_NOFOLLOW, 0600);

	if (null < 0 || out < 0 || err < 0 || setsid() < 0 ||
	    dup2(null, 0) < 0 || dup2(out, 1) < 0 || dup2(err, 2) < 0)
		_exit(127);
	/* vireo-vm gets stdin, stdout, stderr and nothing else of ours. */
	close_range(3, ~0U, 0);
	execlp(vm, vm, "--config", settings, "--runtime", rundir,
	       (char *)NULL);
	fprintf(stderr, "vmctl: cannot run %s: %m\n", vm);
	_exit(127);
}

int vmctl_cmd_start(struct vmctl *ctl, int argc, char **argv)
{
	char dir[PATH_MAX], settings[PATH_MAX], rundir[300], vm[PATH_MAX];
	char logs[PATH_MAX + 8], log[PATH_MAX + 32], console[PATH_MAX + 32];
	struct vm_settings s;
	struct vm_run r;
	unsigned int waited;
	struct stat st;
	int status, wstatus;
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
	snprintf(logs, sizeof(logs), "%s/Logs", dir);
	if (mkdir(logs, 0700) && errno != EEXIST) {
		vmctl_err("cannot create %s: %m", logs);
		status = VMCTL_FAILED;
		goto out;
	}
	/* The guest writes there: not through a link out of the folder. */
	if (lstat(logs, &st) || !S_ISDIR(st.st_mode)) {
		vmctl_err("%s is not a folder (a link?): remove it", logs);
		status = VMCTL_FAILED;
		goto out;
	}
	snprintf(log, sizeof(log), "%s/vireo-vm.log", logs);
	snprintf(console, sizeof(console), "%s/console.log", logs);
	rotate(log);
	rotate(console);
	vmctl_settings_path(dir, settings, sizeof(settings));
	vireo_vm_path(vm, sizeof(vm));
	pid = fork();
	if (pid < 0) {
		vmctl_err("cannot start %s: %m", s.name);
		status = VMCTL_FAILED;
		goto out;
	}
	if (pid == 0)
		child(vm, settings, rundir, log, console);
	for (waited = 0; waited < START_WAIT_MS; waited += 50) {
		if (waitpid(pid, &wstatus, WNOHANG) == pid) {
			vmctl_err("%s did not start (%s %d); its log, %s:",
				  s.name, WIFEXITED(wstatus) ? "status" : "signal",
				  WIFEXITED(wstatus) ? WEXITSTATUS(wstatus) :
				  WTERMSIG(wstatus), log);
			show_log_end(log);
			status = VMCTL_FAILED;
			goto out;
		}
		if (!access(r.state_path, F_OK) && vmctl_ask_ok(&r, "status"))
			break;
		usleep(50 * 1000);
	}
	if (waited >= START_WAIT_MS) {
		vmctl_err("%s (pid %d) did not answer in %d s: ending it; see %s",
			  s.name, (int)pid, START_WAIT_MS / 1000, log);
		kill(pid, SIGKILL);
		waitpid(pid, NULL, 0);
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
	settings_free(&s);
	return status;
}
