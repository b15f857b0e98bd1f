// SPDX-License-Identifier: GPL-2.0
/*
 * The console's output buffer (console_out.h): bytes in order, a slow
 * reader never blocks a put, a full buffer says so and calls back when
 * the event loop has written some out, a gone reader costs nothing but
 * dropped bytes (no SIGPIPE), and the shared fd is never made
 * non-blocking.
 */
#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "console_out.h"
#include "evloop.h"
#include "machine.h"
#include "tap.h"

#define SEC	1000000000ULL
#define PIPE_SZ	4096

static int rooms;

static void on_room(void *opaque)
{
	rooms++;
}

/* A one-page pipe whose write end blocks, as a shell's would. */
static void small_pipe(int p[2])
{
	if (pipe(p) < 0 || fcntl(p[0], F_SETPIPE_SZ, PIPE_SZ) != PIPE_SZ)
		abort();
	fcntl(p[0], F_SETFL, O_NONBLOCK);	/* the reader's end only */
}

/* Read what is in the pipe, checking it continues the 0..250 pattern. */
static unsigned long read_pattern(int fd, unsigned long *next)
{
	char buf[PIPE_SZ];
	unsigned long bad = 0;
	ssize_t n, i;

	while ((n = read(fd, buf, sizeof(buf))) > 0)
		for (i = 0; i < n; i++)
			bad += (uint8_t)buf[i] != (*next)++ % 251;
	return bad;
}

static void test_order_and_backpressure(void)
{
	struct machine m;
	struct console_out *co;
	unsigned long put = 0, next = 0, bad;
	int p[2];

	small_pipe(p);
	machine_init(&m, p[1]);
	m.evloop = evloop_create(&m);
	co = console_out_create(m.evloop, p[1], 64, NULL);
	console_out_on_room(co, on_room, NULL);
	ok(!(fcntl(p[1], F_GETFL) & O_NONBLOCK),
	   "the shared fd is left blocking");
	while (console_out_room(co, 1) && put < 10 * PIPE_SZ)
		console_out_put(co, put++ % 251);
	is_int(put, PIPE_SZ + 64, "room for a pipe and a buffer, then none");
	ok(!console_out_put(co, 0), "a byte into a full buffer is refused");
	is_int(console_out_dropped(co), 1, "...and counted as dropped");
	rooms = 0;
	evloop_run_once(m.evloop, 0);
	is_int(rooms, 0, "no room callback while the reader sleeps");
	bad = read_pattern(p[0], &next);
	evloop_run_once(m.evloop, 5 * SEC);
	is_int(rooms, 1, "the reader read: the loop wrote on, room again");
	ok(console_out_room(co, 1), "room for more");
	/* Room asked for n bytes comes when n are free, not one. */
	while (console_out_room(co, 16))
		console_out_put(co, put++ % 251);
	ok(console_out_room(co, 1), "room for a byte but not for 16");
	rooms = 0;
	bad += read_pattern(p[0], &next);
	evloop_run_once(m.evloop, 5 * SEC);
	ok(rooms == 1 && console_out_room(co, 16),
	   "the callback came with room for 16");
	bad += read_pattern(p[0], &next);
	is_int(next, put, "every byte put reached the reader");
	is_int(bad, 0, "in order");
	console_out_destroy(co);
	evloop_destroy(m.evloop);
	close(p[0]);
	close(p[1]);
}

/*
 * A reader that takes nothing for CONSOLE_OUT_STALL_NS is stalled: room
 * again, and what does not fit is dropped, until it reads.
 */
static void test_stalled_reader(void)
{
	struct timespec stall = {
		CONSOLE_OUT_STALL_NS / SEC, CONSOLE_OUT_STALL_NS % SEC + SEC / 10,
	};
	struct console_out *co;
	unsigned long put = 0, next = 0;
	int p[2];

	small_pipe(p);
	co = console_out_create(NULL, p[1], 64, NULL);
	while (console_out_room(co, 1))
		console_out_put(co, put++ % 251);
	ok(!console_out_room(co, 1), "full, the reader slow");
	nanosleep(&stall, NULL);
	ok(console_out_room(co, 1), "the reader stalled: room again");
	ok(!console_out_put(co, 0), "...where a byte is dropped");
	is_int(console_out_dropped(co), 1, "and counted");
	is_int(read_pattern(p[0], &next), 0, "the reader reads again");
	for (put = 0; put < 10 * PIPE_SZ && console_out_room(co, 1); put++)
		console_out_put(co, 'x');
	ok(put < 10 * PIPE_SZ && !console_out_room(co, 1),
	   "it took something: a full buffer waits for it again");
	console_out_destroy(co);
	close(p[0]);
	close(p[1]);
}

/* No event loop: what waits goes out at the flush, in order. */
static void test_flush(void)
{
	struct console_out *co;
	unsigned long put, next = 0;
	int p[2];

	small_pipe(p);
	co = console_out_create(NULL, p[1], 1000, NULL);
	for (put = 0; put < PIPE_SZ + 1000; put++)
		console_out_put(co, put % 251);
	ok(!console_out_room(co, 1), "full");
	is_int(read_pattern(p[0], &next), 0, "a page came out at once");
	console_out_flush(co, 5 * SEC);
	is_int(read_pattern(p[0], &next), 0, "the flush wrote the rest");
	is_int(next, put, "all of it");
	is_int(console_out_dropped(co), 0, "nothing dropped");
	/* Nobody reads: the flush gives up at its time limit. */
	for (put = 0; put < PIPE_SZ + 10; put++)
		console_out_put(co, 'x');
	console_out_flush(co, SEC / 10);
	is_int(console_out_dropped(co), 10, "a flush nobody reads drops the rest");
	console_out_destroy(co);
	close(p[0]);
	close(p[1]);
}

/* The reader has gone: no SIGPIPE, no error, the bytes are counted. */
static void test_reader_gone(void)
{
	struct console_out *co;
	int p[2];

	small_pipe(p);
	co = console_out_create(NULL, p[1], 16, NULL);
	close(p[0]);
	ok(console_out_put(co, 'a') && console_out_put(co, 'b'),
	   "puts succeed");
	is_int(console_out_dropped(co), 2, "and are counted as dropped");
	ok(console_out_room(co, 1), "there is always room: the output goes nowhere");
	console_out_destroy(co);
	close(p[1]);
}

/* A regular file is written at once, where it is (its offset kept). */
static void test_file(void)
{
	char path[] = "/tmp/vireo-console-XXXXXX", buf[16] = "";
	struct console_out *co;
	int fd = mkstemp(path);

	if (fd < 0 || write(fd, "log:", 4) != 4)
		abort();
	unlink(path);
	co = console_out_create(NULL, fd, 4, NULL);
	console_out_put(co, 'h');
	console_out_put(co, 'i');
	is_int(pread(fd, buf, sizeof(buf) - 1, 0), 6, "appended at once");
	ok(!strcmp(buf, "log:hi"), "after what was there");
	console_out_destroy(co);
	close(fd);
}

int main(void)
{
	/* As vireo-vm (signals.c): a gone reader must not kill us. */
	signal(SIGPIPE, SIG_IGN);
	test_order_and_backpressure();
	test_stalled_reader();
	test_flush();
	test_reader_gone();
	test_file();
	return tap_done();
}
