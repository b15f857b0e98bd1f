// SPDX-License-Identifier: GPL-2.0
/*
 * pause_cycles SOCKET N: N pauses and resumes of a running VM over one
 * control connection (docs/control-protocol.md), each timed from the
 * request's send to its answer, which comes once the VM's state changed.
 * Prints the latencies (median and worst) for tests/lifecycle/run; exit
 * status 1 when a request failed.
 */
#include <errno.h>
#include <poll.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>
#include <sys/socket.h>
#include <sys/un.h>

static char buf[8192];
static size_t len;

static double now_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec * 1e3 + ts.tv_nsec / 1e6;
}

/* The next line (10 s at most), or NULL. */
static char *next_line(int fd)
{
	struct pollfd p = { .fd = fd, .events = POLLIN };
	static char line[sizeof(buf)];
	char *nl;
	ssize_t n;

	for (;;) {
		nl = memchr(buf, '\n', len);
		if (nl) {
			memcpy(line, buf, nl - buf);
			line[nl - buf] = '\0';
			len -= nl + 1 - buf;
			memmove(buf, nl + 1, len);
			return line;
		}
		if (len == sizeof(buf) || poll(&p, 1, 10000) != 1)
			return NULL;
		n = read(fd, buf + len, sizeof(buf) - len);
		if (n <= 0)
			return NULL;
		len += n;
	}
}

static int cmp(const void *a, const void *b)
{
	double x = *(const double *)a, y = *(const double *)b;

	return x < y ? -1 : x > y;
}

/* One request; its latency in *ms; 0 when the answer is ok. */
static int ask(int fd, const char *req, double *ms)
{
	char line[64];
	double t = now_ms();
	char *a;

	snprintf(line, sizeof(line), "{\"request\": \"%s\"}\n", req);
	if (write(fd, line, strlen(line)) != (ssize_t)strlen(line))
		return -1;
	a = next_line(fd);
	*ms = now_ms() - t;
	if (!a || !strstr(a, "\"ok\":true")) {
		fprintf(stderr, "pause_cycles: %s: %s\n", req, a ? a : "no answer");
		return -1;
	}
	return 0;
}

int main(int argc, char **argv)
{
	struct sockaddr_un addr = { .sun_family = AF_UNIX };
	double *p, *r;
	int fd, n, i;

	n = argc == 3 ? atoi(argv[2]) : 0;
	if (n <= 0 || strlen(argv[1]) >= sizeof(addr.sun_path)) {
		fprintf(stderr, "usage: pause_cycles SOCKET N\n");
		return 2;
	}
	strcpy(addr.sun_path, argv[1]);
	p = calloc(n, sizeof(*p));
	r = calloc(n, sizeof(*r));
	fd = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
	if (!p || !r || fd < 0 ||
	    connect(fd, (struct sockaddr *)&addr, sizeof(addr)) ||
	    !next_line(fd)) {
		fprintf(stderr, "pause_cycles: %s: %s\n", argv[1],
			strerror(errno));
		return 1;
	}
	for (i = 0; i < n; i++)
		if (ask(fd, "pause", &p[i]) || ask(fd, "resume", &r[i]))
			return 1;
	qsort(p, n, sizeof(*p), cmp);
	qsort(r, n, sizeof(*r), cmp);
	printf("%d cycles: pause median %.2f ms, worst %.2f ms; resume median %.2f ms, worst %.2f ms\n",
	       n, p[n / 2], p[n - 1], r[n / 2], r[n - 1]);
	return 0;
}
