/* SPDX-License-Identifier: GPL-2.0 */
/*
 * The control socket's files: the socket and (vireo-vm --runtime) the
 * state file beside it, in a folder only its owner can write (control.h,
 * docs/control-protocol.md).  Everything is done relative to the folder's
 * fd, never again through its path.
 *
 * Removing them at the end needs unlink, which the system call filter
 * does not give the VM process (with it, a compromised VM process could
 * delete any file).  So a cleaner is forked before the filter goes in: a
 * process holding only the folder and a pipe.  A clean end writes to the
 * pipe and the cleaner removes both files (if they are still the ones
 * made here); a VM process that dies (SIGKILL, a crash) closes the pipe
 * without writing, and the cleaner leaves them: a state file whose
 * process is gone is how vmctl tells a crash.
 */
#ifndef VIREO_CONTROL_FILES_H
#define VIREO_CONTROL_FILES_H

#include <stdbool.h>
#include <sys/un.h>

struct control_files {
	int dir_fd;
	char sock[sizeof(((struct sockaddr_un *)0)->sun_path)];
	char state[80];		/* its name; "": no state file */
	int listen_fd;
	int cleaner_fd;		/* the pipe to the cleaner; -1: none */
	bool bound;		/* the socket file is ours */
	bool state_written;	/* ... and the state file */
};

/*
 * Listen at path: its folder must be a folder (not a link) that others
 * cannot write; a live socket there is refused (-EADDRINUSE), a dead
 * one (its VM process gone) replaced, anything else refused (-EEXIST).
 * The socket is mode 0600.  0 or -errno.  Call while the process has one
 * thread: the umask is the process's.
 */
int control_files_open(struct control_files *f, const char *path,
		       const char *state_name);
/* The state file, text written whole (a new temporary, then rename). */
int control_files_write_state(struct control_files *f, const char *text);
/* Fork the cleaner (before the filter and any thread): 0 or -errno. */
int control_files_start_cleaner(struct control_files *f);
/*
 * Close the socket; clean: the VM process ends as it should, the files
 * go (by the cleaner, or here if there is none yet).
 */
void control_files_close(struct control_files *f, bool clean);

#endif /* VIREO_CONTROL_FILES_H */
