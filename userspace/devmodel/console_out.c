// SPDX-License-Identifier: GPL-2.0
/* The serial console's output buffer (console_out.h). */
#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <stdio.h>
#include <stdlib.h>
#include <unistd.h>
#include <sys/epoll.h>
#include <sys/socket.h>
#include <sys/stat.h>

#include "console_out.h"
#include "evloop.h"
#include "util.h"

enum console_out_kind {
	CO_NONBLOCK,	/* our own non-blocking description of a pipe, tty */
	CO_SOCKET,	/* a dup of a socket, written with MSG_DONTWAIT */
	CO_FILE,	/* a regular file: written directly */
	CO_POLL,	/* could not be reopened: poll before each write */
};

struct console_out {
	struct evloop *ev;
	enum console_out_kind kind;
	int fd;			/* what we write; -1 once the reader has gone */
	bool own_fd;		/* fd is ours to close */
	bool watched;

	uint8_t *buf;		/* ring of size bytes */
	size_t size, head, count;
	uint64_t dropped;
	uint64_t file_bytes;	/* written to a regular file so far */
	uint64_t progress_ns;	/* when the reader last took something */

	console_room_fn room_fn;
	void *room_opaque;
	size_t want_room;	/* bytes the UART waits room for; 0: none */

	console_tap_fn tap_fn;	/* every byte put, for other watchers */
	void *tap_opaque;
};

/* write() without blocking, as the kind allows: bytes written, or -errno. */
static ssize_t co_write(struct console_out *co, const uint8_t *p, size_t len)
{
	struct pollfd pfd = { .fd = co->fd, .events = POLLOUT };
	ssize_t n;

	if (co->kind == CO_POLL) {
		if (poll(&pfd, 1, 0) < 0)
			return -errno;
		if (!(pfd.revents & (POLLOUT | POLLERR | POLLHUP)))
			return -EAGAIN;
		/*
		 * Writable means room for one byte at least (a terminal's
		 * n_tty_poll() promises no more), so that is all we write.
		 */
		len = 1;
	}
	do {
		if (co->kind == CO_SOCKET)
			n = send(co->fd, p, len, MSG_DONTWAIT | MSG_NOSIGNAL);
		else
			n = write(co->fd, p, len);
	} while (n < 0 && errno == EINTR);
	if (n > 0)
		co->progress_ns = evloop_now();
	return n < 0 ? -errno : n;
}

/* The reader has gone: drop what waits, and all that comes. */
static void co_close(struct console_out *co)
{
	if (co->watched)
		evloop_unwatch_fd(co->ev, co->fd);
	co->watched = false;
	if (co->own_fd)
		close(co->fd);
	co->fd = -1;
	co->dropped += co->count;
	co->count = 0;
}

/* Write what waits until the fd takes no more; the room callback if due. */
static void co_drain(struct console_out *co)
{
	size_t chunk;
	ssize_t n;

	while (co->fd >= 0 && co->count) {
		chunk = co->size - co->head;
		if (chunk > co->count)
			chunk = co->count;
		n = co_write(co, co->buf + co->head, chunk);
		if (n == -EAGAIN)
			break;
		if (n <= 0) {
			co_close(co);
			break;
		}
		co->head = (co->head + n) % co->size;
		co->count -= n;
	}
	if (co->want_room && (co->fd < 0 ||
			      co->size - co->count >= co->want_room)) {
		co->want_room = 0;
		if (co->room_fn)
			co->room_fn(co->room_opaque);
	}
}

static void co_writable(void *opaque, int fd, uint32_t events)
{
	co_drain(opaque);
}

/* Which way @fd can be written without blocking; sets co->fd. */
static int co_open(struct console_out *co, int fd)
{
	char path[64];
	struct stat st;

	if (fstat(fd, &st) < 0)
		return -errno;
	co->own_fd = true;
	if (S_ISREG(st.st_mode) || S_ISBLK(st.st_mode)) {
		co->kind = CO_FILE;
		co->fd = fd;
		co->own_fd = false;
		return 0;
	}
	if (S_ISSOCK(st.st_mode)) {
		/* Its own fd number, so that an input watch on fd is apart. */
		co->kind = CO_SOCKET;
		co->fd = fcntl(fd, F_DUPFD_CLOEXEC, 0);
		return co->fd < 0 ? -errno : 0;
	}
	snprintf(path, sizeof(path), "/proc/self/fd/%d", fd);
	co->kind = CO_NONBLOCK;
	co->fd = open(path, O_WRONLY | O_NONBLOCK | O_NOCTTY | O_CLOEXEC);
	if (co->fd >= 0)
		return 0;
	co->kind = CO_POLL;
	co->fd = fcntl(fd, F_DUPFD_CLOEXEC, 0);
	return co->fd < 0 ? -errno : 0;
}

struct console_out *console_out_create(struct evloop *ev, int fd,
				       size_t size, pthread_mutex_t *lock)
{
	struct console_out *co = calloc(1, sizeof(*co));

	if (!co)
		return NULL;
	co->ev = ev;
	co->fd = -1;
	co->progress_ns = evloop_now();
	co->size = size ? size : 1;
	co->buf = malloc(co->size);
	if (!co->buf) {
		free(co);
		errno = ENOMEM;
		return NULL;
	}
	if (fd < 0 || co_open(co, fd)) {
		/* Nowhere to write: everything is dropped, nothing waits. */
		co->fd = -1;
		co->own_fd = false;
		return co;
	}
	/*
	 * Edge-triggered: an event each time the fd can take more after it
	 * took less than offered; nothing while it simply stays writable.
	 * Regular files (EPERM) need no watch.
	 */
	if (ev && co->kind != CO_FILE) {
		if (!evloop_watch_fd(ev, co->fd, EPOLLOUT | EPOLLET,
				     co_writable, co, lock))
			co->watched = true;
		else	/* without a watch, puts drain, a byte per poll */
			co->kind = CO_POLL;
	}
	return co;
}

void console_out_destroy(struct console_out *co)
{
	if (!co)
		return;
	if (co->watched)
		evloop_unwatch_fd(co->ev, co->fd);
	if (co->own_fd)
		close(co->fd);
	free(co->buf);
	free(co);
}

bool console_out_room(struct console_out *co, size_t n)
{
	if (co->fd < 0 || co->size - co->count >= n)
		return true;
	/* A reader that takes nothing is not waited for: drop instead. */
	if (evloop_now() - co->progress_ns >= CONSOLE_OUT_STALL_NS)
		return true;
	if (n > co->want_room)
		co->want_room = n;
	return false;
}

void console_out_set_tap(struct console_out *co, console_tap_fn fn,
			 void *opaque)
{
	co->tap_fn = fn;
	co->tap_opaque = opaque;
}

bool console_out_put(struct console_out *co, uint8_t c)
{
	ssize_t n;

	if (co->tap_fn)
		co->tap_fn(co->tap_opaque, c);

	/* A guest printing for ever must not fill the host's disk. */
	if (co->fd < 0 || (co->kind == CO_FILE &&
			   co->file_bytes >= CONSOLE_OUT_FILE_MAX)) {
		co->dropped++;
		return true;
	}
	/* Without an event loop nothing else writes what waits. */
	if (co->count && !co->watched)
		co_drain(co);
	if (!co->count) {
		n = co_write(co, &c, 1);
		co->file_bytes += n == 1 && co->kind == CO_FILE;
		if (n == 1)
			return true;
		if (n != -EAGAIN) {
			co_close(co);
			co->dropped++;
			return true;
		}
	}
	if (co->count == co->size) {
		co->dropped++;
		return false;
	}
	co->buf[(co->head + co->count) % co->size] = c;
	co->count++;
	return true;
}

void console_out_on_room(struct console_out *co, console_room_fn fn,
			 void *opaque)
{
	co->room_fn = fn;
	co->room_opaque = opaque;
}

void console_out_flush(struct console_out *co, uint64_t timeout_ns)
{
	uint64_t deadline = evloop_now() + timeout_ns, now;
	struct pollfd pfd;

	for (;;) {
		co_drain(co);
		now = evloop_now();
		if (co->fd < 0 || !co->count || now >= deadline)
			break;
		pfd = (struct pollfd){ .fd = co->fd, .events = POLLOUT };
		if (poll(&pfd, 1, (deadline - now) / 1000000 + 1) < 0 &&
		    errno != EINTR)
			break;
	}
	co->dropped += co->count;
	co->head = co->count = 0;
}

void console_out_resume(struct console_out *co, uint64_t paused_ns)
{
	if (co)
		co->progress_ns += paused_ns;
}

uint64_t console_out_dropped(const struct console_out *co)
{
	return co->dropped;
}
