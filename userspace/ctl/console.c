// SPDX-License-Identifier: GPL-2.0
/*
 * vmctl console: the VM's serial console through its VM process (the
 * control protocol's "console"), as virsh console: Ctrl-] detaches.
 * Several may watch at once; the first attached types, and the others
 * are told they only watch.  On a terminal, the terminal is raw while
 * attached (so Ctrl-C reaches the guest), and restored however vmctl ends.
 */
#include <errno.h>
#include <limits.h>
#include <poll.h>
#include <signal.h>
#include <stdio.h>
#include <string.h>
#include <termios.h>
#include <unistd.h>
#include <sys/socket.h>

#include <json-c/json.h>

#include "vmctl.h"

#define CTRL_RIGHT_BRACKET	0x1d

static struct termios saved;
static volatile sig_atomic_t raw;

static void restore_tty(void)
{
	if (raw)
		tcsetattr(STDIN_FILENO, TCSAFLUSH, &saved);
	raw = 0;
}

static void on_signal(int sig)
{
	restore_tty();
	signal(sig, SIG_DFL);
	raise(sig);
}

static void raw_tty(void)
{
	struct sigaction sa = { .sa_handler = on_signal };
	struct termios t;

	if (!isatty(STDIN_FILENO) || tcgetattr(STDIN_FILENO, &saved))
		return;
	t = saved;
	cfmakeraw(&t);
	sigaction(SIGTERM, &sa, NULL);
	sigaction(SIGHUP, &sa, NULL);
	if (!tcsetattr(STDIN_FILENO, TCSAFLUSH, &t))
		raw = 1;
}

/*
 * All of p to fd (a non-blocking socket, or stdout): false when it is gone.
 * SIGPIPE is ignored while attached: a gone reader is an error here.
 */
static bool write_all(int fd, const char *p, size_t n)
{
	struct pollfd pfd = { .fd = fd, .events = POLLOUT };
	ssize_t w;

	while (n) {
		w = write(fd, p, n);
		if (w < 0 && errno == EAGAIN) {
			poll(&pfd, 1, -1);
			continue;
		}
		if (w < 0 && errno == EINTR)
			continue;
		if (w <= 0)
			return false;
		p += w;
		n -= w;
	}
	return true;
}

/* Until Ctrl-] or the VM process's end; VMCTL_OK either way. */
static int relay(struct vmctl_conn *c, bool typing)
{
	/* stdin is read even when watching: for Ctrl-]. */
	struct pollfd p[2] = {
		{ .fd = c->fd, .events = POLLIN },
		{ .fd = STDIN_FILENO, .events = POLLIN },
	};
	char buf[4096], *end;
	ssize_t n;

	/* What came behind the answer is the console's already. */
	if (c->len && !write_all(STDOUT_FILENO, c->buf, c->len))
		return VMCTL_OK;
	for (;;) {
		if (poll(p, 2, -1) < 0) {
			if (errno == EINTR)
				continue;
			return VMCTL_FAILED;
		}
		if (p[0].revents) {
			n = read(c->fd, buf, sizeof(buf));
			if (n < 0 && (errno == EAGAIN || errno == EINTR))
				continue;
			if (n <= 0) {
				restore_tty();
				fprintf(stderr, "\r\nvmctl: the VM process has ended\n");
				return VMCTL_OK;
			}
			if (!write_all(STDOUT_FILENO, buf, n))
				return VMCTL_OK;
		}
		if (p[1].revents) {
			n = read(STDIN_FILENO, buf, sizeof(buf));
			if (n < 0 && errno == EINTR)
				continue;
			if (n <= 0) {
				/* Input ended (a pipe): watch on. */
				p[1].fd = -1;
				continue;
			}
			end = memchr(buf, CTRL_RIGHT_BRACKET, n);
			if (typing &&
			    !write_all(c->fd, buf, end ? end - buf : n))
				return VMCTL_OK;
			if (end)
				return VMCTL_OK;
		}
	}
}

int vmctl_console_attach(const struct vm_settings *s, const struct vm_run *r)
{
	struct json_object *a = NULL, *v;
	struct vmctl_conn c;
	bool typing;
	int status;

	if (!vmctl_connect(r, &c, VMCTL_ANSWER_MS) &&
	    !vmctl_conn_send(&c, "console", VMCTL_ANSWER_MS))
		a = vmctl_conn_answer(&c, VMCTL_ANSWER_MS);
	if (!vmctl_answer_ok(a)) {
		if (a)
			vmctl_err("%s: console: %s", s->name,
				  vmctl_answer_message(a));
		else
			vmctl_err("%s does not answer on %s", s->name,
				  r->socket_path);
		json_object_put(a);
		vmctl_conn_close(&c);
		return VMCTL_FAILED;
	}
	typing = json_object_object_get_ex(a, "input", &v) &&
		 json_object_get_boolean(v);
	json_object_put(a);
	fprintf(stderr, "vmctl: %s's console%s; Ctrl-] detaches\n", s->name,
		typing ? "" : " (watching: another client types)");
	signal(SIGPIPE, SIG_IGN);
	raw_tty();
	status = relay(&c, typing);
	restore_tty();
	vmctl_conn_close(&c);
	return status;
}

int vmctl_cmd_console(struct vmctl *ctl, int argc, char **argv)
{
	char dir[PATH_MAX];
	struct vm_settings s;
	struct vm_run r;
	int status;

	if (argc != 2 || argv[1][0] == '-')
		return vmctl_usage_err(ctl, "console VM");
	status = vmctl_find_running(ctl, argv[1], dir, sizeof(dir), &s, &r);
	if (status != VMCTL_OK)
		return status;
	status = vmctl_console_attach(&s, &r);
	settings_free(&s);
	return status;
}
