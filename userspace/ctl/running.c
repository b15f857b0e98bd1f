// SPDX-License-Identifier: GPL-2.0
/*
 * A running VM as vmctl sees it: the VM process's state file and control
 * socket in the runtime folder (vireo-vm --runtime), the process behind
 * them checked by pid and start time, so a recycled pid is not taken for
 * the VM.  No daemon keeps this: the files are the VM process's own.
 */
#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/un.h>

#include <json-c/json.h>

#include "proc.h"
#include "vmctl.h"

int vmctl_runtime_dir(char *buf, size_t len)
{
	const char *env = getenv("VIREO_RUNTIME_DIR");
	const char *xdg = getenv("XDG_RUNTIME_DIR");
	int n;

	if (env && *env)
		n = snprintf(buf, len, "%s", env);
	else if (geteuid() == 0)
		n = snprintf(buf, len, "/run/vireo");
	else if (xdg && xdg[0] == '/')
		n = snprintf(buf, len, "%s/vireo", xdg);
	else
		n = snprintf(buf, len, "/tmp/vireo-%u", (unsigned int)getuid());
	return n < 0 || (size_t)n >= len ? -ENAMETOOLONG : 0;
}

int vmctl_runtime_folder(char *buf, size_t len, bool create)
{
	struct stat st;
	int err = vmctl_runtime_dir(buf, len);

	if (err) {
		vmctl_err("the runtime folder: path too long");
		return VMCTL_FAILED;
	}
	if (create && mkdir(buf, 0700) && errno != EEXIST) {
		vmctl_err("cannot create the runtime folder %s: %m", buf);
		return VMCTL_FAILED;
	}
	if (lstat(buf, &st))
		return errno == ENOENT ? VMCTL_NO_VM : VMCTL_FAILED;
	/*
	 * Another user who made it first (a shared /tmp) would own what
	 * vmctl reads there, pids to signal among it: only our own, private.
	 */
	if (!S_ISDIR(st.st_mode) || st.st_uid != geteuid() ||
	    (st.st_mode & 077)) {
		vmctl_err("the runtime folder %s is not a private folder of yours: remove it, or set VIREO_RUNTIME_DIR",
			  buf);
		return VMCTL_FAILED;
	}
	return VMCTL_OK;
}

bool vmctl_vm_alive(const struct vm_run *r)
{
	return r->pid > 0 && r->starttime &&
	       proc_starttime(r->pid) == r->starttime;
}

int vmctl_vm_run(const struct vm_settings *s, struct vm_run *r)
{
	struct json_object *o = NULL, *v;
	char dir[256];
	int fd, n;

	memset(r, 0, sizeof(*r));
	/* The paths first: start waits on them while the folder is new. */
	n = vmctl_runtime_folder(dir, sizeof(dir), false);
	if (n == VMCTL_FAILED)
		return VMCTL_FAILED;
	if (snprintf(r->state_path, sizeof(r->state_path), "%s/%s.json",
		     dir, s->uuid) >= (int)sizeof(r->state_path) ||
	    snprintf(r->socket_path, sizeof(r->socket_path), "%s/%s.sock",
		     dir, s->uuid) >= (int)sizeof(r->socket_path)) {
		vmctl_err("the runtime folder %s: path too long", dir);
		return VMCTL_FAILED;
	}
	if (n == VMCTL_NO_VM) {
		r->state = VM_STOPPED;	/* no folder: nothing runs */
		return VMCTL_OK;
	}
	fd = open(r->state_path, O_RDONLY | O_CLOEXEC | O_NOFOLLOW |
		  O_NONBLOCK);
	if (fd < 0) {
		r->state = errno == ENOENT ? VM_STOPPED : VM_UNKNOWN;
		return VMCTL_OK;
	}
	{
		char buf[4096];

		n = read(fd, buf, sizeof(buf) - 1);
		close(fd);
		if (n > 0) {
			buf[n] = '\0';
			o = json_tokener_parse(buf);
		}
	}
	if (o && json_object_object_get_ex(o, "pid", &v))
		r->pid = json_object_get_int(v);
	if (o && json_object_object_get_ex(o, "starttime", &v))
		r->starttime = json_object_get_int64(v);
	json_object_put(o);
	/* Files left behind by a VM process that did not end cleanly. */
	r->state = vmctl_vm_alive(r) ? VM_RUNNING : VM_CRASHED;
	return VMCTL_OK;
}

const char *vmctl_state_name(enum vm_state state)
{
	switch (state) {
	case VM_STOPPED:
		return "stopped";
	case VM_RUNNING:
		return "running";
	case VM_PAUSED:
		return "paused";
	case VM_CRASHED:
		return "crashed";
	default:
		return "unknown";
	}
}

/* One line from fd, at most len - 1 bytes, waiting at most ms. */
static int read_line(int fd, char *buf, size_t len, int ms)
{
	struct pollfd p = { .fd = fd, .events = POLLIN };
	size_t n = 0;

	while (n < len - 1) {
		if (poll(&p, 1, ms) != 1 || read(fd, buf + n, 1) != 1)
			return -EIO;
		if (buf[n] == '\n')
			break;
		n++;
	}
	buf[n] = '\0';
	return 0;
}

struct json_object *vmctl_ask(const struct vm_run *r, const char *request)
{
	struct sockaddr_un a = { .sun_family = AF_UNIX };
	char line[4096];
	struct json_object *answer = NULL;
	int fd;

	if (strlen(r->socket_path) >= sizeof(a.sun_path))
		return NULL;
	strcpy(a.sun_path, r->socket_path);
	fd = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
	if (fd < 0)
		return NULL;
	if (connect(fd, (struct sockaddr *)&a, sizeof(a)) ||
	    read_line(fd, line, sizeof(line), 5000)) {	/* the hello */
		close(fd);
		return NULL;
	}
	snprintf(line, sizeof(line), "{\"request\": \"%s\"}\n", request);
	if (send(fd, line, strlen(line), MSG_NOSIGNAL) ==
	    (ssize_t)strlen(line) && !read_line(fd, line, sizeof(line), 5000))
		answer = json_tokener_parse(line);
	close(fd);
	return answer;
}

bool vmctl_ask_ok(const struct vm_run *r, const char *request)
{
	struct json_object *a = vmctl_ask(r, request), *v;
	bool ok = a && json_object_object_get_ex(a, "ok", &v) &&
		  json_object_get_boolean(v);

	json_object_put(a);
	return ok;
}

int vmctl_wait_gone(const struct vm_run *r, unsigned int ms)
{
	unsigned int waited = 0;

	while (vmctl_vm_alive(r)) {
		if (waited >= ms)
			return -ETIMEDOUT;
		usleep(50 * 1000);
		waited += 50;
	}
	return 0;
}

void vmctl_wait_cleaned(const struct vm_run *r)
{
	int i;

	for (i = 0; i < 100 && !access(r->state_path, F_OK); i++)
		usleep(20 * 1000);
}

int vmctl_not_running(struct vmctl *ctl, const struct vm_settings *s)
{
	struct vm_run r;

	if (vmctl_vm_run(s, &r) != VMCTL_OK)
		return VMCTL_FAILED;
	if (r.state != VM_RUNNING)
		return VMCTL_OK;
	vmctl_err("%s is running (pid %d): `vmctl stop %s` first", s->name,
		  (int)r.pid, s->name);
	return VMCTL_STATE;
}
