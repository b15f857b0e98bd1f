// SPDX-License-Identifier: GPL-2.0
/*
 * vmctl stop: the guest additions' service asked to power the guest off
 * when one runs in it (docs/guest-additions.md), else the ACPI power
 * button, so the guest shuts down cleanly; if it has not powered off
 * after the timeout (or at once with --force) the VM process is asked to
 * quit, and killed if it does not.
 */
#include <errno.h>
#include <limits.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <sys/syscall.h>

#include <json-c/json.h>

#include "vmctl.h"

#define QUIT_WAIT_MS	5000

static int parse_timeout(struct vmctl *ctl, const char *arg, unsigned int *s)
{
	unsigned long n;
	char *end;

	errno = 0;
	n = strtoul(arg, &end, 10);
	if (arg[0] < '0' || arg[0] > '9' || *end || errno || n > 86400)
		return vmctl_usage_err(ctl, "--timeout %s: seconds, 0 to 86400",
				       arg);
	*s = n;
	return VMCTL_OK;
}

/*
 * The guest additions' service, when one runs, shuts the guest down by
 * the guest's own means (a paused VM cannot hear it: the power button's
 * path resumes it first).  True when it took the request.
 */
static bool additions_shutdown(const struct vm_run *r)
{
	struct json_object *req, *a;
	bool ok;

	if (r->state == VM_PAUSED)
		return false;
	req = json_object_new_object();
	json_object_object_add(req, "request",
			       json_object_new_string("guest-shutdown"));
	a = vmctl_ask_json(r, req);
	ok = vmctl_answer_ok(a);
	json_object_put(a);
	json_object_put(req);
	return ok;
}

int vmctl_cmd_stop(struct vmctl *ctl, int argc, char **argv)
{
	unsigned int timeout = 60;
	bool force = false;
	char dir[PATH_MAX];
	struct vm_settings s;
	struct vm_run r;
	int i, status, pidfd;

	if (argc < 2 || argv[1][0] == '-')
		return vmctl_usage_err(ctl, "stop VM [--force] [--timeout S]");
	for (i = 2; i < argc; i++) {
		if (!strcmp(argv[i], "--force")) {
			force = true;
		} else if (!strcmp(argv[i], "--timeout") && i + 1 < argc) {
			status = parse_timeout(ctl, argv[++i], &timeout);
			if (status != VMCTL_OK)
				return status;
		} else {
			return vmctl_usage_err(ctl, "stop: %s: unexpected",
					       argv[i]);
		}
	}
	status = vmctl_find_running(ctl, argv[1], dir, sizeof(dir), &s, &r);
	if (status != VMCTL_OK)
		return status;
	if (!force && additions_shutdown(&r)) {
		if (!vmctl_wait_gone(&r, timeout * 1000)) {
			vmctl_wait_cleaned(&r);
			printf("%s powered off (by its guest additions)\n",
			       s.name);
			goto out;
		}
		vmctl_err("%s did not power off in %u s: ending its process",
			  s.name, timeout);
	} else if (!force) {
		/* A paused VM is resumed by the VM process first. */
		struct json_object *a = vmctl_ask(&r, "power-button");
		bool pressed = vmctl_answer_ok(a), answered = a;
		bool listens = !a ||
			       strcmp(vmctl_answer_error(a), "not-listening");

		json_object_put(a);
		if (!answered) {
			vmctl_err("%s does not answer on %s: `vmctl stop %s --force` ends its process",
				  s.name, r.socket_path, s.name);
			status = VMCTL_FAILED;
			goto out;
		}
		if (pressed && !vmctl_wait_gone(&r, timeout * 1000)) {
			vmctl_wait_cleaned(&r);
			printf("%s powered off\n", s.name);
			goto out;
		}
		if (pressed)
			vmctl_err("%s did not power off in %u s: ending its process",
				  s.name, timeout);
		else if (!listens)
			vmctl_err("%s does not listen to the power button (its guest has no ACPI): ending its process",
				  s.name);
		else
			vmctl_err("%s refused the power button: ending its process",
				  s.name);
	}
	if (vmctl_ask_ok(&r, "quit") && !vmctl_wait_gone(&r, QUIT_WAIT_MS)) {
		vmctl_wait_cleaned(&r);
		printf("%s stopped\n", s.name);
		goto out;
	}
	/*
	 * It answers nothing: the process itself, by a pidfd taken and then
	 * checked to be it, so a pid reused meanwhile is not signalled.
	 */
	pidfd = syscall(SYS_pidfd_open, r.pid, 0);
	if (pidfd >= 0 && vmctl_vm_alive(&r))
		syscall(SYS_pidfd_send_signal, pidfd, SIGKILL, NULL, 0);
	if (pidfd >= 0)
		close(pidfd);
	if (vmctl_wait_gone(&r, QUIT_WAIT_MS)) {
		vmctl_err("%s (pid %d) does not end", s.name, (int)r.pid);
		status = VMCTL_FAILED;
		goto out;
	}
	unlink(r.state_path);
	unlink(r.socket_path);
	printf("%s killed\n", s.name);
out:
	settings_free(&s);
	return status;
}
