/* SPDX-License-Identifier: GPL-2.0 */
/*
 * The VM process's control socket (docs/control-protocol.md): a Unix
 * stream socket, mode 0600, served by a thread of its own, so that it
 * answers while the devices' event loop is stopped (a paused VM).  Each
 * connection gets a hello, then sends requests and reads answers, one
 * JSON object a line.  Only the VM's owner (the process's uid) or root
 * is served (SO_PEERCRED).  A client that sends garbage, an over-long
 * line, stops reading or goes away costs only its own connection.
 */
#ifndef VIREO_CONTROL_H
#define VIREO_CONTROL_H

#include <stdint.h>

#include "machine.h"

#define CONTROL_PROTOCOL	1
#define CONTROL_MAX_LINE	16384	/* a longer request ends the connection */
/* Unread answers: then it is dropped (room for 256 escaped properties). */
#define CONTROL_MAX_OUT		(2u << 20)
#define CONTROL_MAX_CLIENTS	16
#define CONTROL_ACCEPT_BACKOFF_NS	100000000ULL	/* out of fds: wait */
/* All slots taken: one idle this long (not a subscriber) makes room. */
#define CONTROL_IDLE_NS		1000000000ULL
/* At the end, the last events wait this long for slow readers. */
#define CONTROL_LAST_WORDS_NS	200000000ULL
/* The guest's console output waiting for the loop, at most. */
#define CONTROL_TAP_SIZE	65536

struct control;

/* What the VM is, for the hello and the status answer. */
struct control_info {
	const char *name;	/* NULL: none */
	const char *uuid;	/* NULL: none */
	/*
	 * The settings file the VM runs from (absolute, links resolved), so
	 * vmctl tells this VM from a copy of it with the same UUID; NULL.
	 */
	const char *config;
	const char *config_id;	/* its "DEV:INODE", however it is reached */
	unsigned int vcpus;
	uint64_t memory;
	/*
	 * A runtime state file to keep beside the socket while the VM
	 * runs (vireo-vm --runtime: vmctl's view of a running VM): its
	 * name in the socket's folder, or NULL for none.
	 */
	const char *state_name;
	/*
	 * The write end of the UART's input pipe, for the attached client
	 * that types (taken over: closed by control_stop()); -1: the
	 * console's input is elsewhere (a terminal), or there is none.
	 * 0 means none too (stdin is never the pipe: vireo-vm keeps fds
	 * 0-2 open), so an initializer that leaves it out is safe.
	 */
	int console_in;
};

/*
 * Listen on path (refused if something live is there; a stale socket of
 * a dead VM process is replaced) and serve on a thread; write the state
 * file, if asked for (JSON: pid, starttime, socket, uuid, name).  NULL
 * with errno set and the reason printed.
 */
struct control *control_start(struct machine *m, const char *path,
			      const struct control_info *info);
/* Stop serving, close every connection, remove the socket and state. */
void control_stop(struct control *c);

/*
 * What the control thread needs once the VM runs (seccomp.h), beyond the
 * core's: accepting, reading and writing connections, its peer's
 * credentials, its uid.  Not unlink: the files go by the cleaner
 * (control_files.h).
 */
struct seccomp_extra;
void control_seccomp(const struct control *c, struct seccomp_extra *x);

#endif /* VIREO_CONTROL_H */
