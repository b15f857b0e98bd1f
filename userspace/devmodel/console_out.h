/* SPDX-License-Identifier: GPL-2.0 */
/*
 * The serial console's output: a bounded buffer in front of vireo-vm's
 * stdout (or whatever fd it is given), so that neither a slow reader nor
 * a gone one ever stops a vCPU.
 *
 * A byte is written at once when nothing waits before it, without
 * blocking.  What the fd does not take waits in the buffer, and the event
 * loop writes it when the fd can take more.  A nearly full buffer is the
 * UART's transmitter being busy: console_out_room() says so, and the UART
 * tells the guest (LSR.THRE clear), whose driver then waits, as it would
 * for a real line.  A reader that has taken nothing for
 * CONSOLE_OUT_STALL_NS is stalled, not slow: then there is always room,
 * and what does not fit is dropped and counted, so that a guest printing
 * with interrupts off does not wait for it.  A byte put into a full
 * buffer is dropped and counted too.  Once the reader has gone (EPIPE, or
 * any other write error), output is thrown away and counted; vireo-vm
 * ignores SIGPIPE.
 *
 * The fd is never made non-blocking itself: it is usually shared with the
 * parent (a shell's terminal or pipe).  A pipe, FIFO or terminal is opened
 * again through /proc/self/fd, which gives a file description of our own
 * to make non-blocking; a socket is written with MSG_DONTWAIT; a regular
 * file (or block device) is written directly: it never waits for a
 * reader (a slow file system can still make it wait), and a description
 * of our own would not share its offset; past CONSOLE_OUT_FILE_MAX bytes
 * the rest is dropped and counted, so a guest cannot fill the disk.  Anything else is polled, and
 * written a byte at a time.
 *
 * Every call but create/destroy runs under its owner's lock (the UART's
 * device lock), given to create, which the event loop's callbacks take.
 */
#ifndef VIREO_CONSOLE_OUT_H
#define VIREO_CONSOLE_OUT_H

#include <pthread.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

struct evloop;
struct console_out;

/* Called (under the owner's lock) when a full buffer has room again. */
typedef void (*console_room_fn)(void *opaque);

#define CONSOLE_OUT_SIZE	(256 * 1024)
/* Into a regular file (vmctl's Logs/console.log) at most this much. */
#define CONSOLE_OUT_FILE_MAX	(64ULL << 20)
#define CONSOLE_OUT_STALL_NS	1000000000ULL

/*
 * Output to @fd (not taken over: closed by its owner), buffered up to
 * @size bytes, drained by @ev (NULL: only by console_out_flush()) under
 * @lock.  NULL with errno set when out of memory.
 */
struct console_out *console_out_create(struct evloop *ev, int fd,
				       size_t size, pthread_mutex_t *lock);
void console_out_destroy(struct console_out *co);

/*
 * Whether @n more bytes fit (always once the reader has gone or stalled).
 * When they do not, the room callback runs once they do.
 */
bool console_out_room(struct console_out *co, size_t n);

/* Queue @c; false when it found the buffer full and was dropped. */
bool console_out_put(struct console_out *co, uint8_t c);

/*
 * Every byte put is also given to @fn (the control socket's attached
 * consoles), which must not block: whatever happens to the fd.  Set while
 * nothing else uses @co, or under its owner's lock.
 */
typedef void (*console_tap_fn)(void *opaque, uint8_t c);
void console_out_set_tap(struct console_out *co, console_tap_fn fn,
			 void *opaque);

/* Call @fn when room comes back after console_out_room() said none (NULL: do not). */
void console_out_on_room(struct console_out *co, console_room_fn fn,
			 void *opaque);

/*
 * Write what waits, for at most @timeout_ns: at the VM's end, so that its
 * last words reach a reader that keeps reading.  Then anything left is
 * counted as dropped.
 */
void console_out_flush(struct console_out *co, uint64_t timeout_ns);

/* Bytes dropped so far: found the buffer full, or the reader gone. */
uint64_t console_out_dropped(const struct console_out *co);
/*
 * The machine was paused for paused_ns, with nobody writing to the fd: a
 * reader is not stalled for that time.
 */
void console_out_resume(struct console_out *co, uint64_t paused_ns);

#endif /* VIREO_CONSOLE_OUT_H */
