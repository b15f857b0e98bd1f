/* SPDX-License-Identifier: GPL-2.0 */
/*
 * vmctl: named VMs in folders under a root (docs/vmctl.md).  Each command
 * is one entry of the table in commands.c, from which `vmctl help`,
 * --help and the man page are made; its handler is in a file of its own.
 */
#ifndef VIREO_VMCTL_H
#define VIREO_VMCTL_H

#include <stdbool.h>
#include <stdio.h>
#include <sys/types.h>

#include "settings.h"
#include "util.h"

struct json_object;

/* The exit statuses (documented in the man page and docs/vmctl.md). */
enum vmctl_status {
	VMCTL_OK	= 0,
	VMCTL_FAILED	= 1,	/* the command could not be done */
	VMCTL_USAGE	= 2,	/* the command line is wrong */
	VMCTL_NO_VM	= 3,	/* no VM of that name or UUID */
	VMCTL_STATE	= 4,	/* the VM is in the wrong state for it */
};

struct vmctl;

struct vmctl_cmd {
	const char *name;
	int (*handler)(struct vmctl *ctl, int argc, char **argv);
	const char *args;	/* "NAME (--kernel FILE ... | --rom FILE)" */
	const char *summary;	/* one line */
	const char *help;	/* the options, a line each: "--x  what" */
};

/* What every command gets: the root and the program's state. */
struct vmctl {
	const char *root;	/* the folder holding one folder per VM */
	const struct vmctl_cmd *cmd;
	int lock_fd;		/* the root's lock while held, or -1 */
};

extern const struct vmctl_cmd vmctl_cmds[];
extern const unsigned int vmctl_nr_cmds;

const struct vmctl_cmd *vmctl_find_cmd(const char *name);
void vmctl_usage(FILE *f);
void vmctl_cmd_usage(FILE *f, const struct vmctl_cmd *cmd);
void vmctl_man(FILE *f);

/* Messages: "vmctl: " and the text, on stderr. */
__printf(1, 2) void vmctl_err(const char *fmt, ...);
/* A usage error in a command: the message and "see vmctl help CMD". */
__printf(2, 3)
int vmctl_usage_err(struct vmctl *ctl, const char *fmt, ...);

/* The default root: VIREO_ROOT, /var/lib/vireo/vms for root, or XDG's. */
int vmctl_default_root(char *buf, size_t len);
/*
 * Take the root's lock (a lock file in it, flock): every command that
 * changes a folder holds it, so two vmctl at once wait for each other.
 * make_root: create the root if missing (create does); otherwise a
 * missing root is VMCTL_NO_VM.  VMCTL_OK, or the status with the reason
 * printed.
 */
int vmctl_lock(struct vmctl *ctl, bool make_root);

/*
 * Find the VM named, or with the UUID, vm: its folder into dir (len
 * bytes) and its settings into *s (settings_free() after).  VMCTL_OK,
 * VMCTL_NO_VM, or VMCTL_FAILED with the reason printed.  A settings file
 * of a newer version is loaded read-only (s->version says so).
 */
int vmctl_find_vm(struct vmctl *ctl, const char *vm, char *dir, size_t len,
		  struct vm_settings *s);
/*
 * The settings of folder dir, named folder: VMCTL_OK (a newer version
 * read only), VMCTL_NO_VM, or VMCTL_FAILED with the reason printed (not
 * a folder but a link, unreadable settings, settings naming another VM).
 */
int vmctl_load_vm(const char *dir, const char *folder, struct vm_settings *s);
/* The settings file in folder dir. */
int vmctl_settings_path(const char *dir, char *buf, size_t len);

/* The disk modify's --remove-disk took out: its index and path. */
struct vmctl_removed_disk {
	int index;		/* -1: none */
	char *path;		/* as the settings had it; free() after */
};

/*
 * create's and modify's options into *s: --kernel, --initrd, --append,
 * --rom, --cpus, --memory, --device, --disk (a new image's is made by
 * vmctl_make_disks() later), --net, modify's --remove-disk into *removed
 * (NULL for create) and --remove-net.  creating: defaults apply and a
 * boot source is needed.  VMCTL_OK, or VMCTL_USAGE/VMCTL_FAILED with the
 * reason printed.
 */
int vmctl_parse_vm_options(struct vmctl *ctl, int argc, char **argv,
			   struct vm_settings *s, bool creating,
			   struct vmctl_removed_disk *removed);

/*
 * Disks (disks.c).  --disk FILE[,readonly][,serial=S] or
 * size=SIZE[,readonly][,serial=S], appended to *s: VMCTL_OK, or the
 * status with the reason printed.
 */
int vmctl_disk_option(struct vmctl *ctl, const char *spec,
		      struct vm_settings *s);
/* --remove-disk N: disk N out of *s, into *removed. */
int vmctl_remove_disk_option(struct vmctl *ctl, const char *arg,
			     struct vm_settings *s,
			     struct vmctl_removed_disk *removed);
/*
 * Make the new images of s's size= disks in the VM's folder dir (never
 * over an existing file): VMCTL_OK, or VMCTL_FAILED with the reason
 * printed and none of them left.
 */
int vmctl_make_disks(const char *dir, struct vm_settings *s);
/* Delete the images vmctl_make_disks() made, the settings not saved. */
void vmctl_unmake_disks(const char *dir, struct vm_settings *s);
/* show's lines: index, path, size, readonly, serial. */
void vmctl_show_disks(const struct vm_settings *s, const char *dir);

/*
 * Network cards (nets.c).  --net user[,hostfwd=...][,mac=M] or
 * tap=IFNAME[,addr=CIDR|,bridge=BR][,mac=M], appended to *s with a new
 * random MAC when none is given: VMCTL_OK, or the status with the reason
 * printed.
 */
int vmctl_net_option(struct vmctl *ctl, const char *spec,
		     struct vm_settings *s);
/* --remove-net N: card N out of *s, the ones after it moving up. */
int vmctl_remove_net_option(struct vmctl *ctl, const char *arg,
			    struct vm_settings *s);
/* show's lines: index, back end and options as --net takes them, MAC. */
void vmctl_show_nets(const struct vm_settings *s);

/* A VM's run state, from the VM process's files (running.c). */
enum vm_state { VM_STOPPED, VM_RUNNING, VM_PAUSED, VM_CRASHED, VM_UNKNOWN };

struct vm_run {
	enum vm_state state;
	char uuid[37];			/* the VM's, as its settings say */
	/*
	 * A VM process of the same UUID runs from another folder (a copy of
	 * this VM in another root): its settings file, and state is
	 * VM_STOPPED for this one.
	 */
	char other_config[320];
	pid_t pid;
	unsigned long long starttime;	/* the process's, clock ticks */
	char state_path[320];		/* RUNTIME/UUID.json */
	char socket_path[320];		/* RUNTIME/UUID.sock */
};

/*
 * The runtime folder: VIREO_RUNTIME_DIR, /run/vireo for root,
 * $XDG_RUNTIME_DIR/vireo, or /tmp/vireo-UID.
 */
int vmctl_runtime_dir(char *buf, size_t len);
/*
 * The runtime folder, made (create) and checked: a folder of ours that
 * nobody else may use.  VMCTL_OK, VMCTL_NO_VM (missing, not create), or
 * VMCTL_FAILED with the reason printed.
 */
int vmctl_runtime_folder(char *buf, size_t len, bool create);
/* The run state of s, in folder dir, into *r: VMCTL_OK, or VMCTL_FAILED. */
int vmctl_vm_run(const struct vm_settings *s, const char *dir,
		 struct vm_run *r);
bool vmctl_vm_alive(const struct vm_run *r);
const char *vmctl_state_name(enum vm_state state);
/*
 * The VM's control socket (client.c), every wait bounded: 0 or -errno
 * (-EPROTO: not a vireo-vm of this VM).
 */
#define VMCTL_ANSWER_MS	10000	/* a request's answer, at most */
#define VMCTL_FOREVER	(1LL << 62)	/* a deadline that never comes */

/* The longest line a VM process sends (its CONTROL_MAX_OUT). */
#define VMCTL_MAX_LINE	(2u << 20)

struct vmctl_conn {
	int fd;
	char *buf;		/* VMCTL_MAX_LINE + 1 bytes */
	size_t len;
};

int vmctl_connect(const struct vm_run *r, struct vmctl_conn *c, int ms);
int vmctl_conn_send(struct vmctl_conn *c, const char *request, int ms);
/* The answer to the last request (events before it are skipped). */
struct json_object *vmctl_conn_answer(struct vmctl_conn *c, int ms);
/* The next line, whatever it is; deadline in CLOCK_MONOTONIC ms. */
struct json_object *vmctl_conn_next(struct vmctl_conn *c, long long deadline);
void vmctl_conn_close(struct vmctl_conn *c);
/* One request on a connection of its own: the answer, or NULL. */
struct json_object *vmctl_ask(const struct vm_run *r, const char *request);
/*
 * A request with arguments: req is a JSON object, its "request" member
 * the request's name (docs/control-protocol.md).  Sent as one line.
 */
int vmctl_conn_send_json(struct vmctl_conn *c, struct json_object *req,
			 int ms);
struct json_object *vmctl_ask_json(const struct vm_run *r,
				   struct json_object *req);
bool vmctl_ask_ok(const struct vm_run *r, const char *request);
/* An answer's "ok", "error" (or "no-answer" for NULL) and "message". */
bool vmctl_answer_ok(struct json_object *a);
const char *vmctl_answer_error(struct json_object *a);
const char *vmctl_answer_message(struct json_object *a);
/* Wait until the VM process is gone: 0, or -ETIMEDOUT after ms. */
int vmctl_wait_gone(const struct vm_run *r, unsigned int ms);
/*
 * After a clean end, the VM process's cleaner removes its files: wait for
 * that, 2 s at most.
 */
void vmctl_wait_cleaned(const struct vm_run *r);
/*
 * The VM named arg, which must be running: VMCTL_OK with dir, *s (to
 * settings_free()) and *r filled; else the status, said why.
 */
int vmctl_find_running(struct vmctl *ctl, const char *arg, char *dir,
		       size_t len, struct vm_settings *s, struct vm_run *r);
/*
 * One request to a running VM: VMCTL_OK; VMCTL_STATE when it is in the
 * wrong state for it; VMCTL_FAILED.  The refusal is said.
 */
int vmctl_request(const struct vm_settings *s, const struct vm_run *r,
		  const char *request);
/* VMCTL_OK when s is not running; else VMCTL_STATE, said why. */
int vmctl_not_running(struct vmctl *ctl, const struct vm_settings *s,
		      const char *dir);

/*
 * The names of the root's folders that look like VMs (their settings are
 * not read), sorted; *nr of them, each and the array to free().
 */
char **vmctl_vm_names(const char *root, unsigned int *nr);

/* The kernel's view of the VMs (netlink.c), over its netlink family. */
struct vmctl_nl_vm {
	uint32_t id, pid, uid, nr_vcpus, state;
	uint64_t memory, created_ns;
	uint64_t exits[16];	/* by VIREO_A_VCPU_EXITS*, summed over vCPUs */
};

/*
 * Every VM the kernel shows this user (root: all) into *vms (free()
 * after): how many, or -errno (-ENOENT: no vireo.ko, or one too old).
 */
int vmctl_nl_list(struct vmctl_nl_vm **vms);
/* The VM of process pid (its newest, after a reset), or NULL. */
const struct vmctl_nl_vm *vmctl_nl_find(const struct vmctl_nl_vm *vms, int nr,
					uint32_t pid);

int vmctl_cmd_create(struct vmctl *ctl, int argc, char **argv);
int vmctl_cmd_start(struct vmctl *ctl, int argc, char **argv);
int vmctl_cmd_stop(struct vmctl *ctl, int argc, char **argv);
int vmctl_cmd_status(struct vmctl *ctl, int argc, char **argv);
int vmctl_cmd_list(struct vmctl *ctl, int argc, char **argv);
int vmctl_cmd_show(struct vmctl *ctl, int argc, char **argv);
int vmctl_cmd_modify(struct vmctl *ctl, int argc, char **argv);
int vmctl_cmd_delete(struct vmctl *ctl, int argc, char **argv);
int vmctl_cmd_help(struct vmctl *ctl, int argc, char **argv);
int vmctl_cmd_pause(struct vmctl *ctl, int argc, char **argv);
int vmctl_cmd_resume(struct vmctl *ctl, int argc, char **argv);
int vmctl_cmd_reset(struct vmctl *ctl, int argc, char **argv);
int vmctl_cmd_events(struct vmctl *ctl, int argc, char **argv);
int vmctl_cmd_guestproperty(struct vmctl *ctl, int argc, char **argv);
int vmctl_cmd_console(struct vmctl *ctl, int argc, char **argv);
int vmctl_cmd_enable(struct vmctl *ctl, int argc, char **argv);
int vmctl_cmd_disable(struct vmctl *ctl, int argc, char **argv);
/* Attach to a running VM's serial console until Ctrl-] or its end. */
int vmctl_console_attach(const struct vm_settings *s, const struct vm_run *r);

/* vireo-vm: VIREO_VM, else beside this vmctl (a build tree, an install), else PATH's. */
void vmctl_vireo_vm_path(char *buf, size_t len);
/* vmctl start (start.c): the end of a log, on stderr, indented. */
void vmctl_show_log_end(const char *log);
/*
 * start_unit.c: whether the VM process should be a transient systemd unit
 * (root, systemd the init, VIREO_NO_SYSTEMD unset, the logs and runtime
 * folders changeable by nobody else), and starting it so: its main pid,
 * held by *pidfd, or -1 with the reason printed.
 */
bool vmctl_unit_wanted(const char *logs, const char *rundir);
pid_t vmctl_start_unit(const struct vm_settings *s, const char *vm,
		       const char *settings, const char *rundir,
		       const char *log, const char *console, int *pidfd);

#endif /* VIREO_VMCTL_H */
