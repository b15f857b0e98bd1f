// SPDX-License-Identifier: GPL-2.0
/* The control socket's files and their cleaner (control_files.h). */
#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>
#include <sys/prctl.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/syscall.h>

#include "control_files.h"

/* A folder, not a link to one, and no one else may write into it. */
static int open_folder(const char *path, char *name, size_t name_len)
{
	char dir[sizeof(((struct sockaddr_un *)0)->sun_path)];
	const char *slash = strrchr(path, '/');
	struct stat st;
	int fd;

	if (strlen(path) >= sizeof(dir))
		return -ENAMETOOLONG;
	if (!slash) {
		snprintf(dir, sizeof(dir), ".");
		snprintf(name, name_len, "%s", path);
	} else {
		snprintf(dir, sizeof(dir), "%.*s", (int)(slash - path),
			 path);
		if (!dir[0])
			snprintf(dir, sizeof(dir), "/");
		snprintf(name, name_len, "%s", slash + 1);
	}
	if (!name[0] || !strcmp(name, ".") || !strcmp(name, ".."))
		return -EINVAL;
	fd = open(dir, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
	if (fd < 0)
		return -errno;
	/* Ours (or root's), and nobody else may write in it. */
	if (fstat(fd, &st) || (st.st_mode & 022) ||
	    (st.st_uid != geteuid() && st.st_uid != 0)) {
		close(fd);
		return -EPERM;	/* others could swap what is in it */
	}
	return fd;
}

/*
 * bind() or connect() the bare name in the folder, whatever the folder's
 * path length (the process has one thread: the working folder is its).
 */
static int sock_at(int sock, int dir_fd, const char *name, bool do_bind)
{
	struct sockaddr_un a = { .sun_family = AF_UNIX };
	int cwd = open(".", O_RDONLY | O_DIRECTORY | O_CLOEXEC), ret, err;
	mode_t old;

	snprintf(a.sun_path, sizeof(a.sun_path), "%s", name);
	if (cwd < 0 || fchdir(dir_fd)) {
		err = errno;
		if (cwd >= 0)
			close(cwd);
		errno = err;
		return -1;
	}
	if (do_bind) {
		/* The file is made with the umask's mode: 0600. */
		old = umask(0177);
		ret = bind(sock, (struct sockaddr *)&a, sizeof(a));
		err = errno;
		umask(old);
	} else {
		ret = connect(sock, (struct sockaddr *)&a, sizeof(a));
		err = errno;
	}
	if (fchdir(cwd) && !ret) {
		ret = -1;
		err = errno;
	}
	close(cwd);
	errno = err;
	return ret;
}

/*
 * Does anybody accept at name?  Only a refused connection says no (a
 * crashed VM's socket); a full backlog (a busy VM process) says yes, at
 * once: the socket is non-blocking.
 */
static bool live_at(int dir_fd, const char *name)
{
	int fd = socket(AF_UNIX, SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
	bool live;

	if (fd < 0)
		return true;	/* cannot tell: do not remove it */
	live = !sock_at(fd, dir_fd, name, false) || errno != ECONNREFUSED;
	close(fd);
	return live;
}

int control_files_open(struct control_files *f, const char *path,
		       const char *state_name)
{
	struct stat st;
	int fd, err;
	bool bound;

	memset(f, 0, sizeof(*f));
	f->listen_fd = f->cleaner_fd = -1;
	if (state_name)
		snprintf(f->state, sizeof(f->state), "%s", state_name);
	f->dir_fd = open_folder(path, f->sock, sizeof(f->sock));
	if (f->dir_fd < 0)
		return f->dir_fd;
	fd = socket(AF_UNIX, SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
	if (fd < 0)
		return -errno;
	bound = !sock_at(fd, f->dir_fd, f->sock, true);
	if (!bound && errno == EADDRINUSE) {
		if (live_at(f->dir_fd, f->sock))
			err = -EADDRINUSE;
		else if (fstatat(f->dir_fd, f->sock, &st,
				 AT_SYMLINK_NOFOLLOW) || !S_ISSOCK(st.st_mode))
			err = -EEXIST;	/* not a socket: not ours to remove */
		else if (unlinkat(f->dir_fd, f->sock, 0) ||
			 sock_at(fd, f->dir_fd, f->sock, true))
			err = -errno;
		else
			err = 0;
	} else if (!bound) {
		err = -errno;		/* bind's own: EACCES, EROFS, ... */
	} else {
		err = fstatat(f->dir_fd, f->sock, &st, AT_SYMLINK_NOFOLLOW) ?
		      -errno : 0;
		if (!err && !S_ISSOCK(st.st_mode))
			err = -EEXIST;
	}
	if (!err && listen(fd, 8))
		err = -errno;
	if (err) {
		close(fd);
		return err;
	}
	f->listen_fd = fd;
	f->bound = true;
	return 0;
}

int control_files_write_state(struct control_files *f, const char *text)
{
	char tmp[sizeof(f->state) + 8];
	int fd, err = 0;

	snprintf(tmp, sizeof(tmp), ".%s.tmp", f->state);
	/* A new file: nothing left there (a FIFO, a link) is opened. */
	unlinkat(f->dir_fd, tmp, 0);
	fd = openat(f->dir_fd, tmp, O_WRONLY | O_CREAT | O_EXCL | O_NOFOLLOW |
		    O_CLOEXEC, 0600);
	if (fd < 0)
		return -errno;
	errno = 0;
	if (write(fd, text, strlen(text)) != (ssize_t)strlen(text) ||
	    fsync(fd))
		err = errno ? -errno : -EIO;	/* a short write: no errno */
	close(fd);
	if (!err && renameat(f->dir_fd, tmp, f->dir_fd, f->state))
		err = -errno;
	if (err)
		unlinkat(f->dir_fd, tmp, 0);
	f->state_written = !err;
	return err;
}

/*
 * name, if it is still the file st described: the same inode, and made at
 * the same nanosecond (an inode number can be used again by a file another
 * VM process made after vmctl removed this one's).
 */
static void unlink_same(int dir_fd, const char *name, const struct stat *st)
{
	struct stat now;

	if (name[0] && !fstatat(dir_fd, name, &now, AT_SYMLINK_NOFOLLOW) &&
	    now.st_dev == st->st_dev && now.st_ino == st->st_ino &&
	    now.st_mtim.tv_sec == st->st_mtim.tv_sec &&
	    now.st_mtim.tv_nsec == st->st_mtim.tv_nsec)
		unlinkat(dir_fd, name, 0);
}

static void cleaner(int pipe_fd, int dir_fd, const char *sock,
		    const char *state)
{
	struct stat sock_st = { 0 }, state_st = { 0 };
	char b = 0;
	ssize_t n;

	prctl(PR_SET_NAME, "vireo-vm-clean");
	/* Only the pipe and the folder: no VM fd stays open here. */
	if (dup2(pipe_fd, 0) < 0 || dup2(dir_fd, 1) < 0 ||
	    syscall(SYS_close_range, 2, ~0U, 0))
		_exit(1);
	fstatat(1, sock, &sock_st, AT_SYMLINK_NOFOLLOW);
	if (state[0])
		fstatat(1, state, &state_st, AT_SYMLINK_NOFOLLOW);
	do {
		n = read(0, &b, 1);
	} while (n < 0 && errno == EINTR);
	if (n == 1 && b == 'c') {
		unlink_same(1, sock, &sock_st);
		if (state[0])
			unlink_same(1, state, &state_st);
	}
	_exit(0);
}

int control_files_start_cleaner(struct control_files *f)
{
	int p[2];
	pid_t pid;

	if (pipe2(p, O_CLOEXEC))
		return -errno;
	pid = fork();
	if (pid < 0) {
		close(p[0]);
		close(p[1]);
		return -errno;
	}
	if (pid == 0)
		cleaner(p[0], f->dir_fd, f->sock, f->state);
	close(p[0]);
	f->cleaner_fd = p[1];
	return 0;
}

void control_files_close(struct control_files *f, bool clean)
{
	if (f->listen_fd >= 0)
		close(f->listen_fd);
	f->listen_fd = -1;
	if (f->cleaner_fd >= 0) {
		if (clean && write(f->cleaner_fd, "c", 1) != 1)
			clean = false;
		close(f->cleaner_fd);
	} else if (clean && f->dir_fd >= 0) {
		/* No cleaner yet (a failed start): what it made, not others'. */
		if (f->bound)
			unlinkat(f->dir_fd, f->sock, 0);
		if (f->state_written)
			unlinkat(f->dir_fd, f->state, 0);
	}
	f->cleaner_fd = -1;
	if (f->dir_fd >= 0)
		close(f->dir_fd);
	f->dir_fd = -1;
}
