// SPDX-License-Identifier: GPL-2.0
/*
 * bootwatch: run a VM process, pass its console through, and report when
 * a line first appeared and how much memory the process held.
 *
 *   bootwatch [--timeout S] PATTERN -- COMMAND [ARG...]
 *
 * COMMAND runs with stdin from /dev/null and stdout and stderr into a pipe
 * that bootwatch copies to its own stdout as it reads.  At the end it
 * prints one line:
 *
 *   bootwatch: first_ms=N maxrss_kib=N status=N
 *
 * first_ms is the time from just before the fork to the read that brought
 * the first line containing PATTERN (-1 if none did); maxrss_kib is the
 * child's peak resident set from wait4() (ru_maxrss, KiB), which covers the
 * whole run and needs no sampling; status is the exit status, or 128+N
 * after signal N.  After --timeout seconds (default 600) the child gets
 * SIGKILL.  bench/linux-boot uses it; a shell loop reading the pipe line by
 * line was too slow under TCG to stamp the line when it came.
 */
#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

static long long now_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec * 1000LL + ts.tv_nsec / 1000000;
}

static void usage(void)
{
	fprintf(stderr,
		"usage: bootwatch [--timeout S] PATTERN -- COMMAND [ARG...]\n");
	exit(2);
}

static pid_t spawn(char **argv, int *out)
{
	int fds[2], null;
	pid_t pid;

	if (pipe(fds) < 0)
		return -1;
	pid = fork();
	if (pid < 0)
		return -1;
	if (pid == 0) {
		null = open("/dev/null", O_RDONLY);
		if (null < 0 || dup2(null, 0) < 0 || dup2(fds[1], 1) < 0 ||
		    dup2(fds[1], 2) < 0)
			_exit(127);
		close(fds[0]);
		execvp(argv[0], argv);
		fprintf(stderr, "bootwatch: %s: %s\n", argv[0], strerror(errno));
		_exit(127);
	}
	close(fds[1]);
	*out = fds[0];
	return pid;
}

int main(int argc, char **argv)
{
	long long start, deadline, first = -1;
	char buf[65536], line[4096];
	const char *pattern;
	size_t len = 0, plen;
	int timeout = 600, fd, status, i;
	struct rusage ru;
	struct pollfd p;
	ssize_t n;
	pid_t pid;

	i = 1;
	if (i + 1 < argc && !strcmp(argv[i], "--timeout")) {
		timeout = atoi(argv[i + 1]);
		i += 2;
	}
	if (i + 2 >= argc || strcmp(argv[i + 1], "--") || timeout <= 0)
		usage();
	pattern = argv[i];
	plen = strlen(pattern);
	if (!plen || plen >= sizeof(line))
		usage();

	start = now_ms();
	deadline = start + timeout * 1000LL;
	pid = spawn(argv + i + 2, &fd);
	if (pid < 0) {
		perror("bootwatch");
		return 1;
	}

	p.fd = fd;
	p.events = POLLIN;
	for (;;) {
		long long left = deadline - now_ms();

		if (left <= 0) {
			fprintf(stderr, "bootwatch: timeout after %d s\n",
				timeout);
			kill(pid, SIGKILL);
			break;
		}
		if (poll(&p, 1, left > 1000 ? 1000 : (int)left) < 0) {
			if (errno == EINTR)
				continue;
			break;
		}
		if (!p.revents)
			continue;
		n = read(fd, buf, sizeof(buf));
		if (n < 0 && errno == EINTR)
			continue;
		if (n <= 0)
			break;
		fwrite(buf, 1, n, stdout);
		if (first >= 0)
			continue;
		/* Lines may span reads: look in what is kept of the line. */
		for (i = 0; i < n && first < 0; i++) {
			if (buf[i] == '\n') {
				len = 0;
				continue;
			}
			if (len < sizeof(line) - 1)
				line[len++] = buf[i];
			line[len] = '\0';
			if (len >= plen && !memcmp(line + len - plen, pattern, plen))
				first = now_ms() - start;
		}
	}
	fflush(stdout);
	close(fd);
	if (wait4(pid, &status, 0, &ru) < 0) {
		perror("bootwatch: wait4");
		return 1;
	}
	printf("bootwatch: first_ms=%lld maxrss_kib=%ld status=%d\n", first,
	       ru.ru_maxrss, WIFEXITED(status) ? WEXITSTATUS(status) :
	       128 + WTERMSIG(status));
	return 0;
}
