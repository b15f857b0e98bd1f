// SPDX-License-Identifier: GPL-2.0
/*
 * The control socket (userspace/devmodel/control.c) on a real Unix socket,
 * with the default PC behind it: the hello, each request and its answer,
 * the power button reaching ACPI PM, quit reaching the machine, and every
 * way a client can misbehave costing only its own connection.
 */
#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <stdbool.h>
#include <signal.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/un.h>
#include <sys/wait.h>

#include "control.h"
#include "devices.h"
#include "evloop.h"
#include "exitcodes.h"
#include "pc_layout.h"
#include "tap.h"

static struct machine m;
static int console_out_pipe[2], console_in_pipe[2];
static char dir[] = "/tmp/test_control.XXXXXX";
static char sock[100];
static atomic_int exit_asked = -1;

static void record_exit(struct machine *mm, int status)
{
	atomic_store(&exit_asked, status);
}

/* The cleaner process removes the files: wait for it, 2 s at most. */
static bool gone(const char *path)
{
	int i;

	for (i = 0; i < 200 && !access(path, F_OK); i++)
		usleep(10000);
	return access(path, F_OK) != 0;
}

static int dial(void)
{
	struct sockaddr_un a = { .sun_family = AF_UNIX };
	int fd = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);

	snprintf(a.sun_path, sizeof(a.sun_path), "%s", sock);
	if (fd >= 0 && connect(fd, (struct sockaddr *)&a, sizeof(a))) {
		close(fd);
		return -1;
	}
	return fd;
}

/* One line (without its newline), waiting at most 2 s; "" at EOF. */
static char *line(int fd)
{
	static char buf[8192];
	struct pollfd p = { .fd = fd, .events = POLLIN };
	size_t n = 0;

	while (n < sizeof(buf) - 1) {
		if (poll(&p, 1, 2000) != 1 || read(fd, buf + n, 1) != 1)
			break;
		if (buf[n] == '\n')
			break;
		n++;
	}
	buf[n] = '\0';
	return buf;
}

static char *ask(int fd, const char *req)
{
	if (write(fd, req, strlen(req)) != (ssize_t)strlen(req))
		return "";
	return line(fd);
}

static void test_requests(void)
{
	int fd = dial();
	char *l;

	ok(fd >= 0, "a client connects");
	l = line(fd);
	ok(strstr(l, "\"hello\":\"vireo-vm\"") && strstr(l, "\"protocol\":1") &&
	   strstr(l, "\"uuid\":\"0f8fad5b-d9cb-469f-a165-70867728950e\""),
	   "it is greeted: the protocol version and the VM (%s)", l);
	l = ask(fd, "{\"request\": \"status\"}\n");
	ok(strstr(l, "\"ok\":true") && strstr(l, "\"state\":\"running\"") &&
	   strstr(l, "\"vcpus\":2") && strstr(l, "\"memory\":268435456") &&
	   strstr(l, "\"name\":\"t\""), "status (%s)", l);
	l = ask(fd, "not json\n");
	ok(strstr(l, "\"ok\":false") && strstr(l, "\"bad-request\""),
	   "garbage: bad-request, and the connection stays");
	l = ask(fd, "{\"request\": 7}\n");
	ok(strstr(l, "\"bad-request\"") != NULL,
	   "a request that is no string too");
	l = ask(fd, "{\"request\": \"launch-missiles\"}\n");
	ok(strstr(l, "\"unknown-request\"") != NULL,
	   "an unknown request: unknown-request");
	l = ask(fd, "{\"request\": \"power-button\"}\n");
	ok(strstr(l, "\"not-listening\"") &&
	   !(ioport_read(&m.pio, PC_ACPI_PM1A_EVT, 2) & 0x100),
	   "power-button before the guest enabled it: not-listening, not pressed");
	ioport_write(&m.pio, PC_ACPI_PM1A_EVT + 2, 2, 0x100);	/* PWRBTN_EN */
	l = ask(fd, "{\"request\": \"power-button\"}\n");
	ok(strstr(l, "\"ok\":true") &&
	   (ioport_read(&m.pio, PC_ACPI_PM1A_EVT, 2) & 0x100),
	   "power-button: ACPI PM's PWRBTN_STS is set");
	l = ask(fd, "{\"request\": \"pause\"}\n");
	ok(strstr(l, "\"busy\"") != NULL,
	   "pause with no vCPU thread running: busy, ask again");
	l = ask(fd, "{\"request\": \"resume\"}\n");
	ok(strstr(l, "\"wrong-state\"") != NULL,
	   "resume of a VM that is not paused: wrong-state");
	l = ask(fd, "{\"request\": \"subscribe\"}\n");
	ok(strstr(l, "\"ok\":true") && strstr(l, "\"state\":\"running\""),
	   "subscribe: ok, with the state now");
	machine_notify(&m, "reset", 0);
	l = line(fd);
	ok(l && strstr(l, "\"event\":\"state\"") &&
	   strstr(l, "\"state\":\"reset\"") && strstr(l, "\"time_ms\":"),
	   "a subscriber hears a state change: %s", l ? l : "nothing");
	machine_notify(&m, "stopping", 3);
	l = line(fd);
	ok(l && strstr(l, "\"state\":\"stopping\"") &&
	   strstr(l, "\"status\":3"),
	   "... and the end's status: %s", l ? l : "nothing");
	l = ask(fd, "{\"request\": \"quit\"}\n");
	ok(strstr(l, "\"ok\":true") &&
	   atomic_load(&exit_asked) == EXIT_CODE_SIGNAL,
	   "quit: the machine is asked to end (status %d)", EXIT_CODE_SIGNAL);
	atomic_store(&exit_asked, -1);
	l = ask(fd, "{\"request\": \"reset\"}\n");
	ok(strstr(l, "\"ok\":true") &&
	   atomic_load(&exit_asked) == EXIT_CODE_RESET,
	   "reset: a reset is asked for");
	close(fd);
}

static void test_misbehaving(void)
{
	char big[CONTROL_MAX_LINE + 2000];
	int fd = dial(), fds[CONTROL_MAX_CLIENTS + 1], i, n;
	char *l;

	line(fd);
	memset(big, 'x', sizeof(big));
	if (write(fd, big, sizeof(big)) != (ssize_t)sizeof(big))
		diag("short write");
	l = line(fd);
	ok(strstr(l, "\"line-too-long\"") && !*line(fd),
	   "a line over CONTROL_MAX_LINE bytes: told so, then disconnected");
	close(fd);

	fd = dial();
	line(fd);
	if (write(fd, "{\"request\":\"status\"}\0\n", 22) != 22)
		diag("short write");
	ok(!*line(fd), "a NUL in a line: disconnected");
	close(fd);

	/* A client that asks and never reads: dropped, nobody else waits. */
	fd = dial();
	fcntl(fd, F_SETFL, O_NONBLOCK);
	for (i = 0, n = 0; i < 40000; i++)
		n += write(fd, "{\"request\":\"status\"}\n", 21) == 21;
	fds[0] = dial();
	line(fds[0]);
	l = ask(fds[0], "{\"request\": \"status\"}\n");
	ok(strstr(l, "\"ok\":true") != NULL,
	   "a client flooding requests without reading (%d sent) holds up nobody",
	   n);
	close(fd);
	close(fds[0]);

	for (i = 0; i <= CONTROL_MAX_CLIENTS; i++) {
		fds[i] = dial();
		l = line(fds[i]);
		n = !!strstr(l, "hello");
		if (i < CONTROL_MAX_CLIENTS && !n)
			diag("client %d not greeted", i);
	}
	ok(!n, "client %d is turned away: %d at most",
	   CONTROL_MAX_CLIENTS + 1, CONTROL_MAX_CLIENTS);
	for (i = 0; i <= CONTROL_MAX_CLIENTS; i++)
		close(fds[i]);
}

/* Another user's process is not served (SO_PEERCRED). */
static void test_other_user(void)
{
	int status = 0, fd;
	pid_t pid;

	if (geteuid() != 0) {
		ok(1, "# SKIP another user: needs root");
		return;
	}
	chmod(dir, 0755);
	chmod(sock, 0666);	/* let it connect, to be refused after */
	pid = fork();
	if (pid == 0) {
		if (setgid(65534) || setuid(65534))
			_exit(2);
		fd = dial();
		_exit(fd < 0 ? 3 : *line(fd) ? 1 : 0);
	}
	waitpid(pid, &status, 0);
	chmod(sock, 0600);
	is_int(WEXITSTATUS(status), 0,
	       "another user's client is disconnected without a hello");
}

/*
 * Raw bytes from fd until len came or a second passed without any: how
 * many (into buf).  They may come in several writes (the loop can send
 * the first byte before the second is there).
 */
static ssize_t raw_read(int fd, char *buf, size_t len)
{
	struct pollfd p = { .fd = fd, .events = POLLIN };
	size_t got = 0;
	ssize_t n;

	while (got < len && poll(&p, 1, 1000) == 1) {
		n = read(fd, buf + got, len - got);
		if (n <= 0)
			break;
		got += n;
	}
	return got;
}

static void test_console(void)
{
	int typer = dial(), watcher = dial(), late;
	char buf[256];
	char *l;
	ssize_t n;

	line(typer);		/* the hellos */
	line(watcher);
	l = ask(typer, "{\"request\": \"console\"}\n");
	ok(l && strstr(l, "\"ok\":true") && strstr(l, "\"input\":true"),
	   "console: the first attached types (%s)", l ? l : "nothing");
	l = ask(watcher, "{\"request\": \"console\"}\n");
	ok(l && strstr(l, "\"input\":false"),
	   "...the second watches (%s)", l ? l : "nothing");
	/* The guest writes "hi" to COM1's transmitter. */
	ioport_write(&m.pio, PC_COM1, 1, 'h');
	ioport_write(&m.pio, PC_COM1, 1, 'i');
	n = raw_read(typer, buf, 2);
	ok(n == 2 && !memcmp(buf, "hi", 2), "the typer sees the guest's output");
	n = raw_read(watcher, buf, 2);
	ok(n == 2 && !memcmp(buf, "hi", 2), "...and so does the watcher");
	n = raw_read(console_out_pipe[0], buf, 2);
	ok(n == 2 && !memcmp(buf, "hi", 2),
	   "...and the console's own output (the log) still has it");
	send(typer, "ls\n", 3, MSG_NOSIGNAL);
	send(watcher, "rm\n", 3, MSG_NOSIGNAL);
	n = raw_read(console_in_pipe[0], buf, 6);
	ok(n == 3 && !memcmp(buf, "ls\n", 3),
	   "the typer's bytes are the UART's input, the watcher's are not");
	close(typer);
	usleep(100000);
	late = dial();
	line(late);
	l = ask(late, "{\"request\": \"console\"}\n");
	ok(l && strstr(l, "\"input\":true"),
	   "once the typer has gone, the next attached types");
	close(late);
	close(watcher);
}

static void test_socket_file(void)
{
	struct control_info info = { .name = "t" };
	struct control *c2;
	struct stat st;
	char other[100];
	int fd;

	ok(!stat(sock, &st) && S_ISSOCK(st.st_mode) &&
	   (st.st_mode & 0777) == 0600, "the socket is mode 0600");
	c2 = control_start(&m, sock, &info);
	ok(!c2 && errno == EADDRINUSE,
	   "a second VM process on the same path is refused: EADDRINUSE");

	/* A socket left by a process that died: replaced. */
	snprintf(other, sizeof(other), "%s/stale.sock", dir);
	fd = socket(AF_UNIX, SOCK_STREAM, 0);
	{
		struct sockaddr_un a = { .sun_family = AF_UNIX };

		snprintf(a.sun_path, sizeof(a.sun_path), "%s", other);
		bind(fd, (struct sockaddr *)&a, sizeof(a));
		close(fd);
	}
	c2 = control_start(&m, other, &info);
	ok(c2 != NULL, "a stale socket (its process gone) is replaced");
	control_stop(c2);
	ok(gone(other), "stop removes the socket (its cleaner process does)");

	/* A folder others can write in: they could swap the socket. */
	snprintf(other, sizeof(other), "%s/open", dir);
	mkdir(other, 0777);
	chmod(other, 0777);
	snprintf(other, sizeof(other), "%s/open/vm.sock", dir);
	c2 = control_start(&m, other, &info);
	ok(!c2 && errno == EPERM && access(other, F_OK),
	   "a folder others may write in is refused, nothing made there");
	snprintf(other, sizeof(other), "%s/open", dir);
	rmdir(other);
	snprintf(other, sizeof(other), "%s/stale.sock", dir);

	/* Anything else at the path is left alone. */
	fd = open(other, O_CREAT | O_WRONLY, 0600);
	close(fd);
	c2 = control_start(&m, other, &info);
	ok(!c2 && !access(other, F_OK),
	   "a file that is no socket: refused and left alone");
	unlink(other);
}

int main(void)
{
	struct control_info info = {
		.name = "t", .uuid = "0f8fad5b-d9cb-469f-a165-70867728950e",
		.vcpus = 2, .memory = 256ULL << 20,
	};
	const char *failed = NULL;
	struct control *c;

	/* A client the server dropped gets EPIPE, not the signal. */
	signal(SIGPIPE, SIG_IGN);
	if (!mkdtemp(dir))
		return 1;
	snprintf(sock, sizeof(sock), "%s/vm.sock", dir);
	if (pipe2(console_out_pipe, O_NONBLOCK) || pipe2(console_in_pipe, O_NONBLOCK))
		return 1;
	machine_init(&m, console_out_pipe[1]);
	m.console_in_fd = console_in_pipe[0];
	info.console_in = console_in_pipe[1];
	m.evloop = evloop_create(&m);
	is_int(devices_init(&m, &failed), 0, "the default PC");
	m.request_exit = record_exit;
	c = control_start(&m, sock, &info);
	ok(c != NULL, "the control socket serves");
	if (!c)
		return tap_done();
	test_requests();
	test_console();
	test_misbehaving();
	test_other_user();
	test_socket_file();
	control_stop(c);
	ok(gone(sock), "stop removes the socket");
	devices_destroy(&m);
	evloop_destroy(m.evloop);
	machine_destroy(&m);
	rmdir(dir);
	return tap_done();
}
