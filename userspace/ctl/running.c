// SPDX-License-Identifier: GPL-2.0
/*
 * A running VM as vmctl sees it: the VM process's state file and control
 * socket in the runtime folder (vireo-vm --runtime), the process behind
 * them checked by pid and start time, so a recycled pid is not taken for
 * the VM.  No daemon keeps this: the files are the VM process's own.
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

/*
 * The state file's settings file is not ours (by device and inode, so a
 * moved folder or another mount of it is still ours): another VM's.
 */
static bool other_config(struct json_object *o, const char *dir,
			 struct vm_run *r)
{
	struct json_object *id, *path;
	char ours[64], file[PATH_MAX];
	struct stat st;

	if (!o || !json_object_object_get_ex(o, "config_id", &id) ||
	    !json_object_is_type(id, json_type_string))
		return false;	/* a vireo-vm run by hand: no settings */
	if (vmctl_settings_path(dir, file, sizeof(file)) || stat(file, &st))
		return false;
	snprintf(ours, sizeof(ours), "%llu:%llu",
		 (unsigned long long)st.st_dev, (unsigned long long)st.st_ino);
	if (!strcmp(ours, json_object_get_string(id)))
		return false;
	snprintf(r->other_config, sizeof(r->other_config), "%s",
		 json_object_object_get_ex(o, "config", &path) &&
		 json_object_is_type(path, json_type_string) ?
		 json_object_get_string(path) : "another folder");
	return true;
}

int vmctl_vm_run(const struct vm_settings *s, const char *dir,
		 struct vm_run *r)
{
	struct json_object *o = NULL, *v;
	char rundir[256], buf[4096];
	int fd, n;

	memset(r, 0, sizeof(*r));
	snprintf(r->uuid, sizeof(r->uuid), "%s", s->uuid);
	/* The paths first: start waits on them while the folder is new. */
	n = vmctl_runtime_folder(rundir, sizeof(rundir), false);
	if (n == VMCTL_FAILED)
		return VMCTL_FAILED;
	if (snprintf(r->state_path, sizeof(r->state_path), "%s/%s.json",
		     rundir, s->uuid) >= (int)sizeof(r->state_path) ||
	    snprintf(r->socket_path, sizeof(r->socket_path), "%s/%s.sock",
		     rundir, s->uuid) >= (int)sizeof(r->socket_path)) {
		vmctl_err("the runtime folder %s: path too long", rundir);
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
	n = read(fd, buf, sizeof(buf) - 1);
	close(fd);
	if (n > 0) {
		buf[n] = '\0';
		o = json_tokener_parse(buf);
	}
	if (o && json_object_object_get_ex(o, "pid", &v))
		r->pid = json_object_get_int(v);
	if (o && json_object_object_get_ex(o, "starttime", &v))
		r->starttime = json_object_get_int64(v);
	/* Files left behind by a VM process that did not end cleanly. */
	r->state = vmctl_vm_alive(r) ? VM_RUNNING : VM_CRASHED;
	if (r->state == VM_RUNNING && other_config(o, dir, r))
		r->state = VM_STOPPED;
	json_object_put(o);
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

int vmctl_not_running(struct vmctl *ctl, const struct vm_settings *s,
		      const char *dir)
{
	struct vm_run r;

	if (vmctl_vm_run(s, dir, &r) != VMCTL_OK)
		return VMCTL_FAILED;
	if (r.other_config[0]) {
		vmctl_err("a VM with %s's UUID is running (from %s): stop it first",
			  s->name, r.other_config);
		return VMCTL_STATE;
	}
	if (r.state != VM_RUNNING)
		return VMCTL_OK;
	vmctl_err("%s is running (pid %d): `vmctl stop %s` first", s->name,
		  (int)r.pid, s->name);
	return VMCTL_STATE;
}

int vmctl_find_running(struct vmctl *ctl, const char *arg, char *dir,
		       size_t len, struct vm_settings *s, struct vm_run *r)
{
	int status = vmctl_find_vm(ctl, arg, dir, len, s);

	if (status != VMCTL_OK)
		return status;
	status = vmctl_vm_run(s, dir, r);
	if (status == VMCTL_OK && r->state != VM_RUNNING) {
		if (r->other_config[0])
			vmctl_err("%s is not running; a copy of it with the same UUID is (%s)",
				  s->name, r->other_config);
		else
			vmctl_err("%s is not running (%s): `vmctl start %s` first",
				  s->name, vmctl_state_name(r->state), s->name);
		status = VMCTL_STATE;
	}
	if (status != VMCTL_OK)
		settings_free(s);
	return status;
}

int vmctl_request(const struct vm_settings *s, const struct vm_run *r,
		  const char *request)
{
	struct json_object *a = vmctl_ask(r, request);
	const char *error = vmctl_answer_error(a);
	int status = VMCTL_OK;

	if (!vmctl_answer_ok(a)) {
		if (!a)
			vmctl_err("%s does not answer on %s: `vmctl stop %s --force` ends its process",
				  s->name, r->socket_path, s->name);
		else
			vmctl_err("%s: %s: %s", s->name, request,
				  vmctl_answer_message(a));
		status = !strcmp(error, "wrong-state") ? VMCTL_STATE :
							 VMCTL_FAILED;
	}
	json_object_put(a);
	return status;
}
