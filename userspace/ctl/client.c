// SPDX-License-Identifier: GPL-2.0
/*
 * vmctl's side of a VM process's control socket (docs/control-protocol.md):
 * every wait has a deadline, so a VM process that is stuck, stopped
 * (SIGSTOP) or hostile cannot hold vmctl, and `vmctl stop` always gets to
 * its last resort.
 */
#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>
#include <sys/socket.h>
#include <sys/un.h>

#include <json-c/json.h>

#include "vmctl.h"

static long long now_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec * 1000LL + ts.tv_nsec / 1000000;
}

static int ms_left(long long deadline)
{
	long long left = deadline - now_ms();

	return left < 0 ? 0 : left > 60000 ? 60000 : (int)left;
}

/* Wait for events on fd until the deadline: true when they came. */
static bool wait_fd(int fd, short events, long long deadline)
{
	struct pollfd p = { .fd = fd, .events = events };
	int n;

	do {
		n = poll(&p, 1, ms_left(deadline));
	} while ((n < 0 && errno == EINTR) || (n == 0 && now_ms() < deadline));
	return n == 1;
}

/*
 * A Unix socket's connect() does not block on a full backlog when
 * non-blocking: it fails with EAGAIN, and is tried again until the
 * deadline.
 */
static int dial(const char *path, long long deadline)
{
	struct sockaddr_un a = { .sun_family = AF_UNIX };
	int fd;

	if (strlen(path) >= sizeof(a.sun_path))
		return -ENAMETOOLONG;
	strcpy(a.sun_path, path);
	fd = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC | SOCK_NONBLOCK, 0);
	if (fd < 0)
		return -errno;
	while (connect(fd, (struct sockaddr *)&a, sizeof(a))) {
		int err = errno;

		if ((err != EAGAIN && err != EINTR) || now_ms() >= deadline) {
			close(fd);
			return -err;
		}
		usleep(20 * 1000);
	}
	return fd;
}

/* The next line as JSON, skipping nothing; NULL at the deadline or end. */
struct json_object *vmctl_conn_next(struct vmctl_conn *c, long long deadline)
{
	struct json_object *o;
	char *nl;
	ssize_t n;

	for (;;) {
		nl = memchr(c->buf, '\n', c->len);
		if (nl) {
			*nl = '\0';
			o = json_tokener_parse(c->buf);
			c->len -= nl + 1 - c->buf;
			memmove(c->buf, nl + 1, c->len);
			/* Not JSON: the server is not ours, or broken. */
			return o ? o : NULL;
		}
		if (c->len == VMCTL_MAX_LINE)
			return NULL;	/* a line longer than any answer */
		if (!wait_fd(c->fd, POLLIN, deadline))
			return NULL;
		n = recv(c->fd, c->buf + c->len, VMCTL_MAX_LINE - c->len,
			 MSG_DONTWAIT);
		if (n < 0 && (errno == EAGAIN || errno == EINTR))
			continue;
		if (n <= 0)
			return NULL;
		c->len += n;
	}
}

static bool is_string(struct json_object *o, const char *key,
		      const char *want)
{
	struct json_object *v;

	return json_object_object_get_ex(o, key, &v) &&
	       json_object_is_type(v, json_type_string) &&
	       !strcmp(json_object_get_string(v), want);
}

int vmctl_connect(const struct vm_run *r, struct vmctl_conn *c, int ms)
{
	long long deadline = now_ms() + ms;
	struct json_object *hello, *v;
	int fd = dial(r->socket_path, deadline);
	bool ok;

	memset(c, 0, sizeof(*c));
	c->fd = -1;
	if (fd < 0)
		return fd;
	c->buf = malloc(VMCTL_MAX_LINE + 1);
	if (!c->buf) {
		close(fd);
		return -ENOMEM;
	}
	c->fd = fd;
	hello = vmctl_conn_next(c, deadline);
	/* Protocol 1's requests are in every later version. */
	ok = hello && is_string(hello, "hello", "vireo-vm") &&
	     json_object_object_get_ex(hello, "protocol", &v) &&
	     json_object_get_int(v) >= 1 &&
	     (!r->uuid[0] || is_string(hello, "uuid", r->uuid));
	json_object_put(hello);
	if (!ok) {
		vmctl_conn_close(c);
		return -EPROTO;
	}
	return 0;
}

static int send_line(struct vmctl_conn *c, const char *line, size_t len,
		     int ms)
{
	long long deadline = now_ms() + ms;
	size_t done = 0;
	ssize_t n;

	while (done < len) {
		if (!wait_fd(c->fd, POLLOUT, deadline))
			return -ETIMEDOUT;
		n = send(c->fd, line + done, len - done,
			 MSG_NOSIGNAL | MSG_DONTWAIT);
		if (n < 0 && (errno == EAGAIN || errno == EINTR))
			continue;
		if (n <= 0)
			return -EIO;
		done += n;
	}
	return 0;
}

int vmctl_conn_send(struct vmctl_conn *c, const char *request, int ms)
{
	char line[128];
	size_t len;

	len = snprintf(line, sizeof(line), "{\"request\": \"%s\"}\n", request);
	return send_line(c, line, len, ms);
}

int vmctl_conn_send_json(struct vmctl_conn *c, struct json_object *req,
			 int ms)
{
	const char *text = json_object_to_json_string_ext(req,
				JSON_C_TO_STRING_PLAIN |
				JSON_C_TO_STRING_NOSLASHESCAPE);
	char *line;
	size_t len;
	int err;

	if (!text)
		return -ENOMEM;
	len = strlen(text);
	line = malloc(len + 2);
	if (!line)
		return -ENOMEM;
	memcpy(line, text, len);
	line[len++] = '\n';
	err = send_line(c, line, len, ms);
	free(line);
	return err;
}

/* The answer to the last request: the next line that is no event. */
struct json_object *vmctl_conn_answer(struct vmctl_conn *c, int ms)
{
	long long deadline = now_ms() + ms;
	struct json_object *o, *v;

	while ((o = vmctl_conn_next(c, deadline))) {
		if (json_object_object_get_ex(o, "ok", &v))
			return o;
		json_object_put(o);
	}
	return NULL;
}

void vmctl_conn_close(struct vmctl_conn *c)
{
	if (c->fd >= 0)
		close(c->fd);
	c->fd = -1;
	free(c->buf);
	c->buf = NULL;
}

struct json_object *vmctl_ask(const struct vm_run *r, const char *request)
{
	struct json_object *answer = NULL;
	struct vmctl_conn c;

	if (vmctl_connect(r, &c, VMCTL_ANSWER_MS))
		return NULL;
	if (!vmctl_conn_send(&c, request, VMCTL_ANSWER_MS))
		answer = vmctl_conn_answer(&c, VMCTL_ANSWER_MS);
	vmctl_conn_close(&c);
	return answer;
}

struct json_object *vmctl_ask_json(const struct vm_run *r,
				   struct json_object *req)
{
	struct json_object *answer = NULL;
	struct vmctl_conn c;

	if (vmctl_connect(r, &c, VMCTL_ANSWER_MS))
		return NULL;
	if (!vmctl_conn_send_json(&c, req, VMCTL_ANSWER_MS))
		answer = vmctl_conn_answer(&c, VMCTL_ANSWER_MS);
	vmctl_conn_close(&c);
	return answer;
}

bool vmctl_answer_ok(struct json_object *a)
{
	struct json_object *v;

	return a && json_object_object_get_ex(a, "ok", &v) &&
	       json_object_get_boolean(v);
}

const char *vmctl_answer_error(struct json_object *a)
{
	struct json_object *v;

	if (a && json_object_object_get_ex(a, "error", &v) &&
	    json_object_is_type(v, json_type_string))
		return json_object_get_string(v);
	return a ? "failed" : "no-answer";
}

const char *vmctl_answer_message(struct json_object *a)
{
	struct json_object *v;

	if (a && json_object_object_get_ex(a, "message", &v) &&
	    json_object_is_type(v, json_type_string))
		return json_object_get_string(v);
	return a ? "it refused" : "it did not answer";
}

bool vmctl_ask_ok(const struct vm_run *r, const char *request)
{
	struct json_object *a = vmctl_ask(r, request);
	bool ok = vmctl_answer_ok(a);

	json_object_put(a);
	return ok;
}
