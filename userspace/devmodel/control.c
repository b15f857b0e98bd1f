// SPDX-License-Identifier: GPL-2.0
/*
 * The control socket (control.h, docs/control-protocol.md).  Its own
 * event loop on its own thread: connections are accepted, read and
 * written without blocking, under the control's lock; a request that
 * acts on the machine calls what any thread may call (the power button,
 * machine_request_exit()), which take their own locks.
 */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <sys/epoll.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/un.h>
#include <time.h>

#include <json-c/json.h>
#include <seccomp.h>

#include "control.h"
#include "console_out.h"
#include "control_files.h"
#include "evloop.h"
#include "exitcodes.h"
#include "pause.h"
#include "additions.h"
#include "control_guestprop.h"
#include "patterns.h"
#include "proc.h"
#include "requests.h"
#include "seccomp.h"
#include "util.h"

struct client {
	int fd;			/* -1: a free slot */
	char in[CONTROL_MAX_LINE + 1];
	size_t in_len;
	char *out;		/* CONTROL_MAX_OUT bytes */
	size_t out_len;
	bool want_out;		/* watched for EPOLLOUT too */
	bool subscribed;	/* sent the VM's events */
	uint64_t last_ns;	/* its last request (or connection) */
	/* Attached to the serial console: raw bytes both ways from then. */
	bool console;
	bool typer;		/* ... and its bytes are the guest's input */
	uint64_t console_dropped;	/* output it did not read in time */
	/* Waiting for a guest property change (guestproperty-wait). */
	bool waiting;
	uint64_t wait_until;		/* evloop_now() */
	char wait_patterns[GUESTPROP_MAX_PATTERNS_LEN];
};

/* State changes on their way from machine_notify() to subscribers. */
#define CONTROL_EVENTS	32
/* Guest property changes on their way to subscribers and waits. */
#define CONTROL_PROP_EVENTS	64
#define CONTROL_MAX_WAIT_MS	(7 * 24 * 3600 * 1000LL)

struct control_event {
	const char *state;	/* a string literal (machine.h) */
	int status;
	uint64_t time_ms;	/* CLOCK_REALTIME */
};

struct control {
	struct machine *m;
	struct evloop *ev;
	pthread_mutex_t lock;	/* over the clients */
	struct control_files files;	/* the socket, the state file */
	struct ev_timer *accept_again;	/* after running out of fds */
	char *vm_name, *vm_uuid, *config, *config_id;
	unsigned int vcpus;
	uint64_t memory;
	uint64_t started_ns;
	struct client clients[CONTROL_MAX_CLIENTS];

	/* Filled by notify() from any thread; drained on the loop. */
	pthread_mutex_t events_lock;	/* a leaf */
	struct control_event events[CONTROL_EVENTS];
	unsigned int nr_events;
	uint64_t events_lost;
	struct ev_timer *events_due;
	struct guest_prop props[CONTROL_PROP_EVENTS];	/* under events_lock */
	unsigned int nr_props;
	uint64_t props_lost;
	struct ev_timer *props_due;
	struct ev_timer *wait_due;	/* the first waiting client's end */

	/*
	 * The serial console: every byte the guest writes comes through
	 * console_tap() (under the UART's lock, any thread) into tap[], and
	 * goes from there to the attached clients on the loop.  Input from
	 * the one typing goes into console_in, the UART's input pipe.
	 */
	struct console_out *console;	/* NULL: no console */
	int console_in;			/* -1: no input */
	bool typer_taken;
	pthread_mutex_t tap_lock;	/* a leaf: the fields below */
	unsigned int consoles;		/* attached clients */
	uint8_t tap[CONTROL_TAP_SIZE];
	size_t tap_len;
	uint64_t tap_dropped;
	bool tap_due;
	struct ev_timer *console_due;
};

static const int control_syscalls[] = {
	SCMP_SYS(accept4), SCMP_SYS(recvfrom), SCMP_SYS(sendto),
	SCMP_SYS(getsockopt), SCMP_SYS(geteuid),
};

void control_seccomp(const struct control *c, struct seccomp_extra *x)
{
	x->syscalls = control_syscalls;
	x->nr_syscalls = ARRAY_SIZE(control_syscalls);
}

static void client_close(struct control *c, struct client *cl)
{
	if (cl->console) {
		pthread_mutex_lock(&c->tap_lock);
		c->consoles--;
		pthread_mutex_unlock(&c->tap_lock);
		if (cl->typer)
			c->typer_taken = false;
		cl->console = cl->typer = false;
		cl->console_dropped = 0;
	}
	evloop_unwatch_fd(c->ev, cl->fd);
	close(cl->fd);
	free(cl->out);
	cl->fd = -1;
	cl->out = NULL;
	cl->in_len = cl->out_len = 0;
	cl->want_out = false;
	cl->subscribed = false;
	cl->waiting = false;
}

static void client_ready(void *opaque, int fd, uint32_t events);

/* Watch for input, and for room to write while output waits. */
static void client_watch(struct control *c, struct client *cl)
{
	bool want = cl->out_len > 0;

	if (want == cl->want_out)
		return;
	evloop_unwatch_fd(c->ev, cl->fd);
	if (evloop_watch_fd(c->ev, cl->fd,
			    EPOLLIN | EPOLLRDHUP | (want ? EPOLLOUT : 0),
			    client_ready, c, &c->lock)) {
		client_close(c, cl);
		return;
	}
	cl->want_out = want;
}

/* Write what waits; false when the client is gone. */
static bool client_flush(struct control *c, struct client *cl)
{
	while (cl->out_len) {
		ssize_t n = send(cl->fd, cl->out, cl->out_len,
				 MSG_NOSIGNAL | MSG_DONTWAIT);

		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0 && (errno == EAGAIN || errno == EWOULDBLOCK))
			break;
		if (n <= 0) {
			client_close(c, cl);
			return false;
		}
		memmove(cl->out, cl->out + n, cl->out_len - n);
		cl->out_len -= n;
	}
	client_watch(c, cl);
	return cl->fd >= 0;
}

/* One JSON object and a newline; a client that does not read is dropped. */
static bool client_send(struct control *c, struct client *cl,
			struct json_object *o)
{
	const char *text = json_object_to_json_string_ext(o,
				JSON_C_TO_STRING_PLAIN |
				JSON_C_TO_STRING_NOSLASHESCAPE);
	size_t n = text ? strlen(text) : 0;

	if (!text || cl->out_len + n + 1 > CONTROL_MAX_OUT) {
		client_close(c, cl);
		return false;
	}
	memcpy(cl->out + cl->out_len, text, n);
	cl->out[cl->out_len + n] = '\n';
	cl->out_len += n + 1;
	return client_flush(c, cl);
}

struct json_object *control_answer(bool ok)
{
	struct json_object *o = json_object_new_object();

	json_object_object_add(o, "ok", json_object_new_boolean(ok));
	return o;
}

struct json_object *control_refusal(const char *error, const char *message)
{
	struct json_object *o = control_answer(false);

	json_object_object_add(o, "error", json_object_new_string(error));
	json_object_object_add(o, "message", json_object_new_string(message));
	return o;
}

static void add_identity(struct control *c, struct json_object *o)
{
	if (c->vm_name)
		json_object_object_add(o, "name",
				       json_object_new_string(c->vm_name));
	if (c->vm_uuid)
		json_object_object_add(o, "uuid",
				       json_object_new_string(c->vm_uuid));
	if (c->config)
		json_object_object_add(o, "config",
				       json_object_new_string(c->config));
	if (c->config_id)
		json_object_object_add(o, "config_id",
				       json_object_new_string(c->config_id));
	json_object_object_add(o, "pid", json_object_new_int(getpid()));
}

static struct json_object *do_status(struct control *c)
{
	struct json_object *o = control_answer(true);

	add_identity(c, o);
	json_object_object_add(o, "state", json_object_new_string(
				       machine_is_paused(c->m) ? "paused" : "running"));
	json_object_object_add(o, "vcpus", json_object_new_int(c->vcpus));
	json_object_object_add(o, "memory", json_object_new_int64(c->memory));
	json_object_object_add(o, "uptime_ms", json_object_new_int64(
				       (evloop_now() - c->started_ns) / 1000000));
	if (c->m->additions)
		c->m->additions->describe(c->m->additions_opaque, o);
	return o;
}

static struct json_object *do_pause(struct control *c)
{
	int err = machine_pause_vm(c->m);

	if (err == -EALREADY)
		return control_refusal("wrong-state", "the VM is paused already");
	if (err == -EAGAIN)
		return control_refusal("busy", "the VM is starting, resetting or ending, or a vCPU did not stop: ask again");
	if (err == -ECANCELED)
		return control_refusal("wrong-state", "the VM is shutting down (SIGTERM)");
	if (err)
		return control_refusal("failed", strerror(-err));
	return control_answer(true);
}

static struct json_object *do_resume(struct control *c)
{
	int err = machine_resume_vm(c->m);

	if (err == -EALREADY)
		return control_refusal("wrong-state", "the VM is not paused");
	if (err) {
		/* Its devices or clocks cannot go on: the VM cannot run. */
		machine_request_exit(c->m, EXIT_CODE_HOST);
		return control_refusal("failed", strerror(-err));
	}
	return control_answer(true);
}

static struct json_object *do_power_button(struct control *c)
{
	if (vm_power_button(c->m))
		return control_refusal("not-listening",
			       "the guest has not enabled ACPI's power button: only quit ends it");
	return control_answer(true);
}

static struct json_object *do_reset(struct control *c)
{
	if (machine_is_paused(c->m))
		return control_refusal("wrong-state", "the VM is paused: resume it first");
	machine_request_exit(c->m, EXIT_CODE_RESET);
	return control_answer(true);
}

static struct json_object *do_subscribe(struct control *c, struct client *cl)
{
	struct json_object *o = control_answer(true);

	cl->subscribed = true;
	json_object_object_add(o, "state", json_object_new_string(
		machine_is_paused(c->m) ? "paused" : "running"));
	return o;
}

/*
 * The connection becomes the serial console's (after this answer): the
 * first attached types, the others watch.
 */
static struct json_object *do_console(struct control *c, struct client *cl)
{
	struct json_object *o;

	if (!c->console)
		return control_refusal("no-console", "this VM has no serial console");
	o = control_answer(true);
	cl->console = true;
	cl->typer = c->console_in >= 0 && !c->typer_taken;
	c->typer_taken |= cl->typer;
	pthread_mutex_lock(&c->tap_lock);
	c->consoles++;
	pthread_mutex_unlock(&c->tap_lock);
	json_object_object_add(o, "input", json_object_new_boolean(cl->typer));
	return o;
}

/* The earliest end of a wait, for the timer; none: disarmed. */
static void wait_rearm(struct control *c)
{
	uint64_t first = UINT64_MAX;
	unsigned int i;

	for (i = 0; i < CONTROL_MAX_CLIENTS; i++)
		if (c->clients[i].fd >= 0 && c->clients[i].waiting &&
		    c->clients[i].wait_until < first)
			first = c->clients[i].wait_until;
	if (first == UINT64_MAX)
		ev_timer_disarm(c->wait_due);
	else
		ev_timer_arm(c->wait_due, first);
}

/* On the loop: waits whose time is up hear so. */
static void wait_expire(void *opaque)
{
	struct control *c = opaque;
	uint64_t now = evloop_now();
	unsigned int i;

	for (i = 0; i < CONTROL_MAX_CLIENTS; i++) {
		struct client *cl = &c->clients[i];
		struct json_object *o;

		if (cl->fd < 0 || !cl->waiting || cl->wait_until > now)
			continue;
		cl->waiting = false;
		o = control_refusal("timeout",
				    "no matching property changed in time");
		client_send(c, cl, o);
		json_object_put(o);
	}
	wait_rearm(c);
}

/*
 * guestproperty-wait: the answer comes with the next change of a property
 * matching "patterns" (all, when absent), or as "timeout" after
 * "timeout_ms" (absent or negative: no end).  NULL: it waits.
 */
static struct json_object *do_prop_wait(struct control *c, struct client *cl,
					struct json_object *req)
{
	const char *patterns = control_req_string(req, "patterns");
	struct json_object *v;
	int64_t ms = -1;

	if (!c->m->additions)
		return control_refusal("no-vmmdev",
				       "this VM has no VMMDev (vireo-vm --no-vmmdev): no guest properties");
	if (json_object_object_get_ex(req, "timeout_ms", &v)) {
		if (!json_object_is_type(v, json_type_int))
			return control_refusal("bad-request",
					       "\"timeout_ms\" is an integer");
		ms = json_object_get_int64(v);
	}
	/* A week at most: no overflow in nanoseconds. */
	if (ms > CONTROL_MAX_WAIT_MS)
		ms = CONTROL_MAX_WAIT_MS;
	if (!control_req_types_ok(req, (const char *const[]){ "patterns",
							     NULL }))
		return control_refusal("bad-request", "\"patterns\" is a string");
	if (patterns && strlen(patterns) >= sizeof(cl->wait_patterns))
		return control_refusal("bad-request", "patterns too long");
	if (cl->waiting)
		return control_refusal("busy", "this connection waits already");
	snprintf(cl->wait_patterns, sizeof(cl->wait_patterns), "%s",
		 patterns ? patterns : "");
	cl->wait_until = ms < 0 ? UINT64_MAX :
			 evloop_now() + (uint64_t)ms * 1000000;
	cl->waiting = true;
	wait_rearm(c);
	return NULL;
}

/* What a request asks, and the answer: a table, as the protocol's doc. */
static struct json_object *handle(struct control *c, struct client *cl,
				  const char *req, struct json_object *args)
{
	if (!strcmp(req, "guestproperty-get"))
		return control_prop_get(c->m, args);
	if (!strcmp(req, "guestproperty-set"))
		return control_prop_set(c->m, args);
	if (!strcmp(req, "guestproperty-enumerate"))
		return control_prop_enumerate(c->m, args);
	if (!strcmp(req, "guestproperty-wait"))
		return do_prop_wait(c, cl, args);
	if (!strcmp(req, "guest-shutdown"))
		return control_guest_shutdown(c->m, args);
	if (!strcmp(req, "status"))
		return do_status(c);
	if (!strcmp(req, "pause"))
		return do_pause(c);
	if (!strcmp(req, "resume"))
		return do_resume(c);
	if (!strcmp(req, "power-button"))
		return do_power_button(c);
	if (!strcmp(req, "reset"))
		return do_reset(c);
	if (!strcmp(req, "quit")) {
		machine_request_exit(c->m, EXIT_CODE_SIGNAL);
		return control_answer(true);
	}
	if (!strcmp(req, "subscribe"))
		return do_subscribe(c, cl);
	if (!strcmp(req, "console"))
		return do_console(c, cl);
	return control_refusal("unknown-request", "no such request in protocol 1");
}

/*
 * console_out's tap: a byte the guest wrote, under the UART's lock, on any
 * thread.  Kept for the loop only while a client is attached; never waits.
 */
static void console_tap(void *opaque, uint8_t ch)
{
	struct control *c = opaque;
	bool arm = false;

	pthread_mutex_lock(&c->tap_lock);
	if (c->consoles) {
		if (c->tap_len < sizeof(c->tap))
			c->tap[c->tap_len++] = ch;
		else
			c->tap_dropped++;
		arm = !c->tap_due;
		c->tap_due = true;
	}
	pthread_mutex_unlock(&c->tap_lock);
	if (arm)
		ev_timer_arm(c->console_due, 0);
}

/* Raw bytes for a console client; what does not fit is dropped, counted. */
static void client_put_raw(struct control *c, struct client *cl,
			   const uint8_t *p, size_t n)
{
	size_t room = CONTROL_MAX_OUT - cl->out_len;

	if (n > room) {
		cl->console_dropped += n - room;
		n = room;
	}
	memcpy(cl->out + cl->out_len, p, n);
	cl->out_len += n;
	client_flush(c, cl);
}

/* On the loop, under the control's lock: the guest's output to consoles. */
static void console_send(void *opaque)
{
	static uint8_t buf[CONTROL_TAP_SIZE];
	struct control *c = opaque;
	unsigned int i;
	size_t n;

	pthread_mutex_lock(&c->tap_lock);
	n = c->tap_len;
	memcpy(buf, c->tap, n);
	c->tap_len = 0;
	c->tap_due = false;
	pthread_mutex_unlock(&c->tap_lock);
	for (i = 0; i < CONTROL_MAX_CLIENTS; i++)
		if (c->clients[i].fd >= 0 && c->clients[i].console)
			client_put_raw(c, &c->clients[i], buf, n);
}

/*
 * Bytes from an attached client: the guest's input if it types (what the
 * UART's pipe cannot take now is dropped: the guest is not reading),
 * nothing otherwise.
 */
static void console_input(struct control *c, struct client *cl,
			  const char *p, size_t n)
{
	ssize_t w;

	if (!cl->typer || c->console_in < 0)
		return;
	while (n) {
		w = write(c->console_in, p, n);
		if (w < 0 && errno == EINTR)
			continue;
		if (w <= 0)
			return;
		p += w;
		n -= w;
	}
}

/* machine->notify: from any thread, holding none of the control's locks. */
static void notify(void *opaque, const char *state, int status)
{
	struct control *c = opaque;
	struct timespec ts;

	clock_gettime(CLOCK_REALTIME, &ts);
	pthread_mutex_lock(&c->events_lock);
	/* Full: the newest replaces the last, so the last state is right. */
	if (c->nr_events == CONTROL_EVENTS) {
		c->events_lost++;
		c->nr_events--;
	}
	c->events[c->nr_events++] = (struct control_event) {
		.state = state, .status = status,
		.time_ms = ts.tv_sec * 1000ULL + ts.tv_nsec / 1000000,
	};
	pthread_mutex_unlock(&c->events_lock);
	ev_timer_arm(c->events_due, 0);
}

/* Any thread, under VMMDev's lock: queue it for the loop, never wait. */
static void prop_changed(void *opaque, const struct guest_prop *p)
{
	struct control *c = opaque;

	pthread_mutex_lock(&c->events_lock);
	if (c->nr_props == CONTROL_PROP_EVENTS) {
		memmove(c->props, c->props + 1,
			(CONTROL_PROP_EVENTS - 1) * sizeof(c->props[0]));
		c->nr_props--;
		c->props_lost++;
	}
	c->props[c->nr_props++] = *p;
	pthread_mutex_unlock(&c->events_lock);
	ev_timer_arm(c->props_due, 0);
}

static void prop_deliver(struct control *c, const struct guest_prop *p,
			 uint64_t lost)
{
	struct json_object *ev = control_prop_object(p);
	unsigned int j;

	json_object_object_add(ev, "event",
			       json_object_new_string("guestproperty"));
	if (lost)
		json_object_object_add(ev, "lost", json_object_new_int64(lost));
	for (j = 0; j < CONTROL_MAX_CLIENTS; j++) {
		struct client *cl = &c->clients[j];
		struct json_object *a;

		if (cl->fd < 0 || cl->console)
			continue;
		if (cl->subscribed)
			client_send(c, cl, ev);
		if (cl->fd < 0 || !cl->waiting ||
		    !patterns_match(cl->wait_patterns, p->name))
			continue;
		cl->waiting = false;
		a = control_prop_object(p);
		json_object_object_add(a, "ok", json_object_new_boolean(true));
		client_send(c, cl, a);
		json_object_put(a);
	}
	json_object_put(ev);
}

/* On the loop, under the control's lock. */
static void props_send(void *opaque)
{
	struct control *c = opaque;
	struct guest_prop *batch;
	unsigned int n, i;
	uint64_t lost;

	batch = malloc(sizeof(c->props));
	if (!batch)
		return;
	pthread_mutex_lock(&c->events_lock);
	n = c->nr_props;
	memcpy(batch, c->props, n * sizeof(batch[0]));
	c->nr_props = 0;
	lost = c->props_lost;
	c->props_lost = 0;
	pthread_mutex_unlock(&c->events_lock);
	for (i = 0; i < n; i++)
		prop_deliver(c, &batch[i], i == 0 ? lost : 0);
	free(batch);
	wait_rearm(c);
}

static struct json_object *event_object(const struct control_event *e)
{
	struct json_object *o = json_object_new_object();

	json_object_object_add(o, "event", json_object_new_string("state"));
	json_object_object_add(o, "state", json_object_new_string(e->state));
	if (!strcmp(e->state, "stopping"))
		json_object_object_add(o, "status",
				       json_object_new_int(e->status));
	json_object_object_add(o, "time_ms",
			       json_object_new_int64(e->time_ms));
	return o;
}

/* On the loop, under the control's lock: every subscriber hears them. */
static void events_send(void *opaque)
{
	struct control *c = opaque;
	struct control_event e[CONTROL_EVENTS];
	unsigned int n, i, j;
	uint64_t lost;

	pthread_mutex_lock(&c->events_lock);
	n = c->nr_events;
	memcpy(e, c->events, n * sizeof(e[0]));
	c->nr_events = 0;
	lost = c->events_lost;
	c->events_lost = 0;
	pthread_mutex_unlock(&c->events_lock);
	for (i = 0; i < n; i++) {
		struct json_object *o = event_object(&e[i]);

		/* The last of a batch says how many came and went unsent. */
		if (lost && i == n - 1)
			json_object_object_add(o, "lost",
					       json_object_new_int64(lost));
		for (j = 0; j < CONTROL_MAX_CLIENTS; j++)
			if (c->clients[j].fd >= 0 && c->clients[j].subscribed &&
			    !c->clients[j].console)
				client_send(c, &c->clients[j], o);
		json_object_put(o);
	}
}

static bool client_line(struct control *c, struct client *cl, char *line)
{
	struct json_tokener *tok = json_tokener_new_ex(4);
	struct json_object *req = NULL, *v, *ans;
	bool alive;

	if (tok) {
		json_tokener_set_flags(tok, JSON_TOKENER_STRICT |
				       JSON_TOKENER_VALIDATE_UTF8);
		req = json_tokener_parse_ex(tok, line, strlen(line) + 1);
		if (json_tokener_get_error(tok) != json_tokener_success) {
			json_object_put(req);
			req = NULL;
		}
		json_tokener_free(tok);
	}
	if (!req || !json_object_is_type(req, json_type_object) ||
	    !json_object_object_get_ex(req, "request", &v) ||
	    !json_object_is_type(v, json_type_string))
		ans = control_refusal("bad-request",
			      "a request is a JSON object with a \"request\" string");
	else
		ans = handle(c, cl, json_object_get_string(v), req);
	json_object_put(req);
	if (!ans && cl->waiting)
		return true;	/* the answer comes later */
	alive = ans && client_send(c, cl, ans);
	json_object_put(ans);
	return alive;
}

static void client_input(struct control *c, struct client *cl)
{
	char *nl;
	ssize_t n;

	/*
	 * One read a turn: a client that keeps sending gets its turn again
	 * from the loop (level-triggered), after the others'.
	 */
	for (;;) {
		n = recv(cl->fd, cl->in + cl->in_len,
			 CONTROL_MAX_LINE - cl->in_len, MSG_DONTWAIT);
		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0 && (errno == EAGAIN || errno == EWOULDBLOCK))
			return;
		if (n <= 0) {
			client_close(c, cl);
			return;
		}
		cl->last_ns = evloop_now();
		cl->in_len += n;
		cl->in[cl->in_len] = '\0';
		while (!cl->console && (nl = memchr(cl->in, '\n', cl->in_len))) {
			size_t used = nl - cl->in + 1;

			*nl = '\0';
			if (memchr(cl->in, '\0', used - 1) ||
			    !client_line(c, cl, cl->in)) {
				if (cl->fd >= 0)
					client_close(c, cl);
				return;
			}
			memmove(cl->in, cl->in + used, cl->in_len - used);
			cl->in_len -= used;
		}
		/* Attached: whatever comes (after the request) is input. */
		if (cl->console) {
			console_input(c, cl, cl->in, cl->in_len);
			cl->in_len = 0;
			return;
		}
		if (cl->in_len == CONTROL_MAX_LINE) {
			struct json_object *o = control_refusal("line-too-long",
				"a request line is at most 4096 bytes");

			client_send(c, cl, o);
			json_object_put(o);
			if (cl->fd >= 0)
				client_close(c, cl);
		}
		return;
	}
}

static struct client *client_of(struct control *c, int fd)
{
	unsigned int i;

	for (i = 0; i < CONTROL_MAX_CLIENTS; i++)
		if (c->clients[i].fd == fd)
			return &c->clients[i];
	return NULL;
}

static void client_ready(void *opaque, int fd, uint32_t events)
{
	struct control *c = opaque;
	struct client *cl = client_of(c, fd);

	if (!cl)
		return;
	if ((events & EPOLLOUT) && !client_flush(c, cl))
		return;
	if (events & (EPOLLIN | EPOLLRDHUP | EPOLLHUP | EPOLLERR))
		client_input(c, cl);
}

/* The VM's owner, or root. */
static bool peer_allowed(int fd)
{
	struct ucred cred;
	socklen_t len = sizeof(cred);

	if (getsockopt(fd, SOL_SOCKET, SO_PEERCRED, &cred, &len))
		return false;
	return cred.uid == 0 || cred.uid == geteuid();
}

static void accept_ready(void *opaque, int fd, uint32_t events);

/*
 * Every slot taken: the client idle longest (not a subscriber, whose
 * silence is its use) goes, if it has been for CONTROL_IDLE_NS, so that
 * idle connections cannot lock the VM's owner out.
 */
static struct client *evict_idle(struct control *c)
{
	struct client *oldest = NULL;
	unsigned int i;

	for (i = 0; i < CONTROL_MAX_CLIENTS; i++) {
		struct client *cl = &c->clients[i];

		/* Subscribers and consoles are silent by their nature. */
		if (cl->fd >= 0 && !cl->subscribed && !cl->console &&
		    (!oldest || cl->last_ns < oldest->last_ns))
			oldest = cl;
	}
	if (!oldest || evloop_now() - oldest->last_ns < CONTROL_IDLE_NS)
		return NULL;
	client_close(c, oldest);
	return oldest;
}

static void accept_resume(void *opaque)
{
	struct control *c = opaque;

	evloop_watch_fd(c->ev, c->files.listen_fd, EPOLLIN, accept_ready, c,
			&c->lock);
}

static void accept_ready(void *opaque, int fd, uint32_t events)
{
	struct control *c = opaque;
	struct json_object *hello;
	struct client *cl;
	int cfd;

	for (;;) {
		cfd = accept4(fd, NULL, NULL, SOCK_NONBLOCK | SOCK_CLOEXEC);
		if (cfd < 0 && (errno == EMFILE || errno == ENFILE ||
				errno == ENOBUFS || errno == ENOMEM)) {
			/*
			 * The connection waits, and the socket stays
			 * readable: not watched for a while, or the loop
			 * would spin.
			 */
			evloop_unwatch_fd(c->ev, fd);
			ev_timer_arm(c->accept_again, evloop_now() +
				     CONTROL_ACCEPT_BACKOFF_NS);
			return;
		}
		if (cfd < 0)
			return;
		cl = client_of(c, -1);
		if (!cl)
			cl = evict_idle(c);
		if (!cl || !peer_allowed(cfd)) {
			close(cfd);
			continue;
		}
		cl->out = malloc(CONTROL_MAX_OUT);
		if (!cl->out ||
		    evloop_watch_fd(c->ev, cfd, EPOLLIN | EPOLLRDHUP,
				    client_ready, c, &c->lock)) {
			free(cl->out);
			cl->out = NULL;
			close(cfd);
			continue;
		}
		cl->fd = cfd;
		cl->last_ns = evloop_now();
		hello = json_object_new_object();
		json_object_object_add(hello, "hello",
				       json_object_new_string("vireo-vm"));
		json_object_object_add(hello, "protocol",
				       json_object_new_int(CONTROL_PROTOCOL));
		add_identity(c, hello);
		client_send(c, cl, hello);
		json_object_put(hello);
	}
}

/* The state file vmctl reads: who serves, and where. */
static int write_state(struct control *c, const char *path)
{
	struct json_object *o = json_object_new_object();
	const char *text;
	int err;

	add_identity(c, o);
	json_object_object_add(o, "starttime",
			       json_object_new_int64(proc_starttime(0)));
	json_object_object_add(o, "socket", json_object_new_string(path));
	text = json_object_to_json_string_ext(o, JSON_C_TO_STRING_PRETTY |
					      JSON_C_TO_STRING_NOSLASHESCAPE);
	err = text ? control_files_write_state(&c->files, text) : -ENOMEM;
	json_object_put(o);
	return err;
}

struct control *control_start(struct machine *m, const char *path,
			      const struct control_info *info)
{
	struct control *c = calloc(1, sizeof(*c));
	unsigned int i;
	int err;

	if (!c)
		return NULL;
	c->m = m;
	c->files.listen_fd = c->files.dir_fd = c->files.cleaner_fd = -1;
	pthread_mutex_init(&c->lock, NULL);
	for (i = 0; i < CONTROL_MAX_CLIENTS; i++)
		c->clients[i].fd = -1;
	c->vm_name = info->name ? strdup(info->name) : NULL;
	c->vm_uuid = info->uuid ? strdup(info->uuid) : NULL;
	c->config = info->config ? strdup(info->config) : NULL;
	c->config_id = info->config_id ? strdup(info->config_id) : NULL;
	c->vcpus = info->vcpus;
	c->memory = info->memory;
	c->started_ns = evloop_now();
	pthread_mutex_init(&c->events_lock, NULL);
	pthread_mutex_init(&c->tap_lock, NULL);
	c->console = m->console;
	c->console_in = info->console_in > 0 ? info->console_in : -1;
	c->ev = evloop_create(m);
	c->accept_again = c->ev ? ev_timer_new(c->ev, accept_resume, c,
					       &c->lock) : NULL;
	c->events_due = c->ev ? ev_timer_new(c->ev, events_send, c,
					     &c->lock) : NULL;
	c->console_due = c->ev ? ev_timer_new(c->ev, console_send, c,
					      &c->lock) : NULL;
	c->props_due = c->ev ? ev_timer_new(c->ev, props_send, c,
					    &c->lock) : NULL;
	c->wait_due = c->ev ? ev_timer_new(c->ev, wait_expire, c,
					   &c->lock) : NULL;
	err = c->accept_again && c->events_due && c->console_due &&
	      c->props_due && c->wait_due ?
	      -control_files_open(&c->files, path, info->state_name) : ENOMEM;
	if (!err)
		err = -evloop_watch_fd(c->ev, c->files.listen_fd, EPOLLIN,
				       accept_ready, c, &c->lock);
	if (!err && info->state_name)
		err = -write_state(c, path);
	/* Before the thread: the process forks while it has one. */
	if (!err)
		err = -control_files_start_cleaner(&c->files);
	if (!err) {
		m->notify_opaque = c;
		m->notify = notify;
		m->prop_changed_opaque = c;
		m->prop_changed = prop_changed;
		/* No vCPU and no device loop runs yet: the UART is idle. */
		if (c->console)
			console_out_set_tap(c->console, console_tap, c);
		err = -evloop_start(c->ev);
	}
	if (err) {
		pr_err("control socket %s: %s\n", path,
		       err == EADDRINUSE ? "another VM process serves it" :
		       err == EEXIST ? "something else is there" :
		       err == EPERM ? "its folder is not private (others may write in it)" :
		       strerror(err));
		control_stop(c);
		errno = err;
		return NULL;
	}
	return c;
}

/*
 * Write what waits for every client, for at most ns (the loop is gone;
 * nanosleep, not poll: the system call filter has only what the VM needs).
 */
static void flush_all(struct control *c, uint64_t ns)
{
	uint64_t until = evloop_now() + ns;
	struct timespec pause = { 0, 10000000 };
	bool waiting = true;
	unsigned int i;

	while (waiting && evloop_now() < until) {
		waiting = false;
		for (i = 0; i < CONTROL_MAX_CLIENTS; i++) {
			struct client *cl = &c->clients[i];

			if (cl->fd >= 0 && cl->out_len &&
			    client_flush(c, cl) && cl->out_len)
				waiting = true;
		}
		if (waiting)
			nanosleep(&pause, NULL);
	}
}

void control_stop(struct control *c)
{
	unsigned int i;

	if (!c)
		return;
	evloop_stop(c->ev);
	if (c->m->notify_opaque == c) {
		c->m->notify = NULL;
		c->m->notify_opaque = NULL;
	}
	if (c->m->prop_changed_opaque == c) {
		c->m->prop_changed = NULL;
		c->m->prop_changed_opaque = NULL;
	}
	/* The vCPUs and the device loop are gone: the UART is idle. */
	if (c->console)
		console_out_set_tap(c->console, NULL, NULL);
	/* The last events ("stopping"), to whoever still reads, briefly. */
	events_send(c);
	flush_all(c, CONTROL_LAST_WORDS_NS);
	for (i = 0; i < CONTROL_MAX_CLIENTS; i++)
		if (c->clients[i].fd >= 0)
			client_close(c, &c->clients[i]);
	if (c->files.listen_fd >= 0)
		evloop_unwatch_fd(c->ev, c->files.listen_fd);
	control_files_close(&c->files, true);
	ev_timer_free(c->accept_again);
	ev_timer_free(c->events_due);
	ev_timer_free(c->console_due);
	ev_timer_free(c->props_due);
	ev_timer_free(c->wait_due);
	pthread_mutex_destroy(&c->events_lock);
	pthread_mutex_destroy(&c->tap_lock);
	if (c->console_in >= 0)
		close(c->console_in);
	evloop_destroy(c->ev);
	pthread_mutex_destroy(&c->lock);
	free(c->vm_name);
	free(c->vm_uuid);
	free(c->config);
	free(c->config_id);
	free(c);
}
