// SPDX-License-Identifier: GPL-2.0
/*
 * vireo-slirp: user-mode networking for one virtio NIC of a VM, through
 * libslirp (the TCP/IP stack QEMU's -netdev user uses), in a process of
 * its own.  vireo-vm starts it for `--net user[,...]` (net/user.c) with
 * one end of a SOCK_SEQPACKET socket pair as fd 3: each message either
 * way is one Ethernet frame.  The guest's network is QEMU's default:
 *
 *   10.0.2.0/24, the host (and gateway) 10.0.2.2, DNS 10.0.2.3, DHCP from
 *   10.0.2.15; the guest's connections out become the host's own, made
 *   by this process; --hostfwd tcp:ADDR:HPORT-:GPORT listens on the host's
 *   ADDR:HPORT (ADDR default 127.0.0.1) and connects to the guest's GPORT
 *   (on 10.0.2.15)
 *
 * Why a process: the stack parses every packet the guest sends and opens
 * the host's sockets and files (resolv.conf, for DNS) on its behalf,
 * which the VM process's system call filter (seccomp.c) would have to
 * allow to all of vireo-vm.  Here a bug in the stack reaches only this
 * process, which has no /dev/vireo and no guest memory.
 *
 * It ends when vireo-vm closes its end (or dies: PR_SET_PDEATHSIG).
 * Frames for the guest that vireo-vm does not take at once (the guest
 * has no receive buffers) are dropped, as libslirp allows: TCP sends them
 * again.
 */
#include <arpa/inet.h>
#include <errno.h>
#include <getopt.h>
#include <poll.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>
#include <sys/prctl.h>
#include <sys/socket.h>
#include <slirp/libslirp.h>

#define VM_FD		3
#define MAX_FRAME	(65535 + 14)
#define MAX_POLL	1024
#define MAX_TIMERS	16

struct timer {
	bool used, armed;
	int64_t expire_ms;
	SlirpTimerCb cb;
	void *cb_opaque;
};

static struct pollfd pfd[MAX_POLL];
static unsigned int npfd;
static struct timer timers[MAX_TIMERS];
static unsigned long long dropped;

static int64_t now_ns(void)
{
	struct timespec t;

	clock_gettime(CLOCK_MONOTONIC, &t);
	return t.tv_sec * 1000000000LL + t.tv_nsec;
}

static ssize_t to_guest(const void *buf, size_t len, void *opaque)
{
	/*
	 * Full (the guest has no room): dropped, TCP sends it again.  Gone
	 * (EPIPE: vireo-vm closed its end): the loop sees the hang-up next.
	 */
	if (send(VM_FD, buf, len, MSG_DONTWAIT | MSG_NOSIGNAL) < 0)
		dropped++;
	return len;
}

static void guest_error(const char *msg, void *opaque)
{
	fprintf(stderr, "vireo-slirp: the guest: %s\n", msg);
}

static int64_t clock_ns(void *opaque)
{
	return now_ns();
}

static void *timer_new(SlirpTimerCb cb, void *cb_opaque, void *opaque)
{
	unsigned int i;

	for (i = 0; i < MAX_TIMERS; i++) {
		if (!timers[i].used) {
			timers[i] = (struct timer){ .used = true, .cb = cb,
						    .cb_opaque = cb_opaque };
			return &timers[i];
		}
	}
	fprintf(stderr, "vireo-slirp: out of timers\n");
	exit(1);
}

static void timer_free(void *t, void *opaque)
{
	((struct timer *)t)->used = false;
}

static void timer_mod(void *t, int64_t expire_ms, void *opaque)
{
	((struct timer *)t)->expire_ms = expire_ms;
	((struct timer *)t)->armed = true;
}

static void no_fd(int fd, void *opaque)
{
}

static void notify(void *opaque)
{
}

static const SlirpCb callbacks = {
	.send_packet = to_guest,
	.guest_error = guest_error,
	.clock_get_ns = clock_ns,
	.timer_new = timer_new,
	.timer_free = timer_free,
	.timer_mod = timer_mod,
	.register_poll_fd = no_fd,
	.unregister_poll_fd = no_fd,
	.notify = notify,
};

static int add_poll(int fd, int events, void *opaque)
{
	short ev = 0;

	if (npfd == MAX_POLL)
		return -1;	/* not watched this round */
	if (events & SLIRP_POLL_IN)
		ev |= POLLIN;
	if (events & SLIRP_POLL_OUT)
		ev |= POLLOUT;
	if (events & SLIRP_POLL_PRI)
		ev |= POLLPRI;
	pfd[npfd] = (struct pollfd){ .fd = fd, .events = ev };
	return npfd++;
}

static int get_revents(int idx, void *opaque)
{
	short r;
	int ev = 0;

	if (idx < 0 || (unsigned int)idx >= npfd)
		return 0;
	r = pfd[idx].revents;
	if (r & POLLIN)
		ev |= SLIRP_POLL_IN;
	if (r & POLLOUT)
		ev |= SLIRP_POLL_OUT;
	if (r & POLLPRI)
		ev |= SLIRP_POLL_PRI;
	if (r & POLLERR)
		ev |= SLIRP_POLL_ERR;
	if (r & POLLHUP)
		ev |= SLIRP_POLL_HUP;
	return ev;
}

/* "tcp:[ADDR]:HPORT-:GPORT" (QEMU's form, guest address left out). */
static int add_hostfwd(Slirp *s, const char *spec)
{
	char addr[64] = "127.0.0.1";
	struct in_addr host, guest = { .s_addr = 0 };
	unsigned int hport, gport;
	const char *p = spec, *colon;
	char end;

	errno = 0;	/* a malformed spec: no errno */
	if (strncmp(p, "tcp:", 4))
		return -1;
	p += 4;
	colon = strchr(p, ':');
	if (!colon || (size_t)(colon - p) >= sizeof(addr))
		return -1;
	if (colon > p) {
		memcpy(addr, p, colon - p);
		addr[colon - p] = '\0';
	}
	if (sscanf(colon + 1, "%u-:%u%c", &hport, &gport, &end) != 2 ||
	    !hport || hport > 65535 || !gport || gport > 65535 ||
	    inet_pton(AF_INET, addr, &host) != 1) {
		errno = 0;
		return -1;
	}
	/* Its bind()'s errno on failure (EADDRINUSE, say). */
	return slirp_add_hostfwd(s, 0, host, hport, guest, gport);
}

static void usage(FILE *f)
{
	fprintf(f, "Usage: vireo-slirp [--hostfwd tcp:[ADDR]:HPORT-:GPORT]...\n"
		"User-mode networking for one NIC of a vireo-vm VM, whose frames\n"
		"it exchanges on fd 3 (a SOCK_SEQPACKET socket); started by\n"
		"vireo-vm --net user.  ADDR defaults to 127.0.0.1.\n");
}

int main(int argc, char **argv)
{
	static const struct option longopts[] = {
		{ "hostfwd", required_argument, NULL, 'f' },
		{ "help", no_argument, NULL, 'h' },
		{ NULL, 0, NULL, 0 },
	};
	static uint8_t frame[MAX_FRAME];
	SlirpConfig cfg = {
		.version = 3,
		.in_enabled = true,
		.if_mtu = 1500,
		.if_mru = 1500,
	};
	const char *fwd[16];
	unsigned int nfwd = 0, i, vm;
	uint32_t timeout;
	int64_t now;
	ssize_t n;
	Slirp *s;
	int c;

	while ((c = getopt_long(argc, argv, "h", longopts, NULL)) != -1) {
		if (c == 'h') {
			usage(stdout);
			return 0;
		}
		if (c != 'f' || nfwd == 16) {
			usage(stderr);
			return 2;
		}
		fwd[nfwd++] = optarg;
	}
	prctl(PR_SET_PDEATHSIG, SIGKILL);
	if (getppid() == 1)
		return 0;	/* vireo-vm is gone already */
	inet_pton(AF_INET, "10.0.2.0", &cfg.vnetwork);
	inet_pton(AF_INET, "255.255.255.0", &cfg.vnetmask);
	inet_pton(AF_INET, "10.0.2.2", &cfg.vhost);
	inet_pton(AF_INET, "10.0.2.15", &cfg.vdhcp_start);
	inet_pton(AF_INET, "10.0.2.3", &cfg.vnameserver);
	cfg.vhostname = "vireo";
	s = slirp_new(&cfg, &callbacks, NULL);
	if (!s) {
		fprintf(stderr, "vireo-slirp: libslirp would not start\n");
		return 1;
	}
	for (i = 0; i < nfwd; i++) {
		if (add_hostfwd(s, fwd[i]) < 0) {
			fprintf(stderr, "vireo-slirp: --hostfwd %s: %s\n",
				fwd[i], errno ? strerror(errno) :
				"tcp:[ADDR]:HPORT-:GPORT");
			return 1;
		}
	}
	/* vireo-vm waits for one byte: the forwards listen (not a frame). */
	if (send(VM_FD, "R", 1, 0) != 1)
		return 1;
	for (;;) {
		npfd = 0;
		vm = add_poll(VM_FD, SLIRP_POLL_IN, NULL);
		timeout = UINT32_MAX;
		slirp_pollfds_fill(s, &timeout, add_poll, NULL);
		now = now_ns() / 1000000;
		for (i = 0; i < MAX_TIMERS; i++) {
			if (!timers[i].used || !timers[i].armed)
				continue;
			if (timers[i].expire_ms <= now)
				timeout = 0;
			else if ((uint64_t)(timers[i].expire_ms - now) < timeout)
				timeout = timers[i].expire_ms - now;
		}
		c = poll(pfd, npfd, timeout == UINT32_MAX ? -1 :
			 (int)(timeout > 60000 ? 60000 : timeout));
		if (c < 0 && errno != EINTR) {
			perror("vireo-slirp: poll");
			return 1;
		}
		if (pfd[vm].revents & (POLLHUP | POLLERR))
			break;
		/* At most a batch of the guest's frames per turn. */
		for (i = 0; (pfd[vm].revents & POLLIN) && i < 64; i++) {
			n = recv(VM_FD, frame, sizeof(frame), MSG_DONTWAIT);
			if (n == 0)
				goto out;
			if (n < 0)
				break;
			slirp_input(s, frame, n);
		}
		slirp_pollfds_poll(s, c < 0, get_revents, NULL);
		now = now_ns() / 1000000;
		for (i = 0; i < MAX_TIMERS; i++) {
			if (timers[i].used && timers[i].armed &&
			    timers[i].expire_ms <= now) {
				timers[i].armed = false;
				timers[i].cb(timers[i].cb_opaque);
			}
		}
	}
out:
	if (dropped)
		fprintf(stderr, "vireo-slirp: %llu frames for the guest dropped (no room)\n",
			dropped);
	slirp_cleanup(s);
	return 0;
}
