// SPDX-License-Identifier: GPL-2.0
/*
 * The user-mode back end (net.h): NAT to the host's network for users
 * without CAP_NET_ADMIN, through libslirp in a process of its own,
 * vireo-slirp (userspace/slirp/vireo-slirp.c says why a process), which
 * exchanges Ethernet frames with us over a SOCK_SEQPACKET socket pair: one
 * message, one frame.  No offloads: the guest checksums and segments
 * (libslirp wants whole, checksummed frames), and the header that leads
 * each frame on the device's side is dropped going out and zeros coming
 * in.
 *
 * vireo-slirp is looked for beside vireo-vm (the build tree), then in
 * ../libexec/vireo/ from vireo-vm's folder (make install).  It is ready
 * when it sends one byte (its port forwards listen); it ends when our end
 * closes, or with us (PR_SET_PDEATHSIG).
 */
#include <errno.h>
#include <fcntl.h>
#include <libgen.h>
#include <limits.h>
#include <poll.h>
#include <signal.h>
#include <spawn.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <sys/socket.h>
#include <sys/wait.h>

#include "net.h"

#define READY_WAIT_MS	10000
/* vireo-slirp's MTU (1500) and an Ethernet header with a VLAN tag. */
#define USER_MAX_FRAME	(1500 + 18)
#define MAX_FWDS	8
/* Room for bursts both ways: a TCP window's worth of frames. */
#define SOCKET_BUF	(4 << 20)

struct user {
	struct net_backend be;
	pid_t pid;
};

static ssize_t user_recv(struct net_backend *be, void *buf, size_t len)
{
	ssize_t n;

	if (len <= NET_HDR_LEN)
		return -EINVAL;
	n = recv(be->fd, (uint8_t *)buf + NET_HDR_LEN, len - NET_HDR_LEN,
		 MSG_DONTWAIT | MSG_TRUNC);
	if (n < 0)
		return -errno;
	if (!n)
		return -EPIPE;		/* vireo-slirp ended */
	if ((size_t)n > len - NET_HDR_LEN)
		return -EMSGSIZE;	/* cannot be: it sends <= 64 KiB */
	memset(buf, 0, NET_HDR_LEN);
	return n + NET_HDR_LEN;
}

static int user_send(struct net_backend *be, const struct iovec *iov,
		     unsigned int n)
{
	struct iovec out[n];
	struct msghdr msg = { .msg_iov = out };
	size_t skip = NET_HDR_LEN, len = 0;
	unsigned int i;

	/* No TSO offered: a frame past the MTU's is a broken guest's. */
	for (i = 0; i < n; i++)
		len += iov[i].iov_len;
	if (len > NET_HDR_LEN + USER_MAX_FRAME)
		return -EMSGSIZE;

	/* The frame without the header, which may span buffers. */
	for (i = 0; i < n; i++) {
		if (skip >= iov[i].iov_len) {
			skip -= iov[i].iov_len;
			continue;
		}
		out[msg.msg_iovlen].iov_base = (uint8_t *)iov[i].iov_base + skip;
		out[msg.msg_iovlen].iov_len = iov[i].iov_len - skip;
		msg.msg_iovlen++;
		skip = 0;
	}
	return sendmsg(be->fd, &msg, MSG_DONTWAIT | MSG_NOSIGNAL) < 0 ?
	       -errno : 0;
}

static int user_set_offload(struct net_backend *be, uint64_t guest_features)
{
	return 0;		/* none offered */
}

static void user_free(struct net_backend *be)
{
	struct user *u = (struct user *)be;
	int i;

	/*
	 * vireo-slirp sees the end and exits: reaped here, waiting up to a
	 * second; else it dies with us (PR_SET_PDEATHSIG) and init reaps it.
	 */
	if (be->fd >= 0)
		close(be->fd);
	for (i = 0; u->pid > 0 && i < 100; i++) {
		if (waitpid(u->pid, NULL, WNOHANG) != 0)
			break;
		usleep(10000);
	}
	free(u);
}

static const struct net_backend_ops user_ops = {
	.recv = user_recv,
	.send = user_send,
	.set_offload = user_set_offload,
	.free = user_free,
};

/* vireo-slirp's path into buf: 0, or -1 when there is none. */
static int find_helper(char *buf, size_t len)
{
	char self[PATH_MAX];
	ssize_t n = readlink("/proc/self/exe", self, sizeof(self) - 1);
	char *dir;

	if (n < 0)
		return -1;
	self[n] = '\0';
	dir = dirname(self);
	snprintf(buf, len, "%s/vireo-slirp", dir);
	if (!access(buf, X_OK))
		return 0;
	snprintf(buf, len, "%s/../libexec/vireo/vireo-slirp", dir);
	return access(buf, X_OK) ? -1 : 0;
}

int net_user_open(const char *hostfwd, struct net_backend **be, char *why,
		  size_t why_len)
{
	char helper[PATH_MAX], *fwds = NULL, *item, *save = NULL;
	char *argv[2 + 2 * MAX_FWDS + 1];
	posix_spawn_file_actions_t fa;
	posix_spawnattr_t attr;
	sigset_t mask;
	int sv[2] = { -1, -1 }, buf = SOCKET_BUF, argc = 0, err, k;
	struct pollfd p;
	struct user *u;
	char ready;

	if (find_helper(helper, sizeof(helper))) {
		snprintf(why, why_len, "user: no vireo-slirp beside vireo-vm or in ../libexec/vireo/");
		return -ENOENT;
	}
	u = calloc(1, sizeof(*u));
	fwds = hostfwd ? strdup(hostfwd) : NULL;
	if (!u || (hostfwd && !fwds)) {
		snprintf(why, why_len, "out of memory");
		goto fail;
	}
	u->be.fd = -1;
	u->be.ops = &user_ops;
	snprintf(u->be.desc, sizeof(u->be.desc), "user-mode networking");
	argv[argc++] = helper;
	for (item = fwds ? strtok_r(fwds, "+", &save) : NULL; item;
	     item = strtok_r(NULL, "+", &save)) {
		if (argc >= 1 + 2 * MAX_FWDS) {
			snprintf(why, why_len, "hostfwd: at most %d forwards",
				 MAX_FWDS);
			goto fail;
		}
		argv[argc++] = "--hostfwd";
		argv[argc++] = item;
	}
	argv[argc] = NULL;
	if (socketpair(AF_UNIX, SOCK_SEQPACKET | SOCK_CLOEXEC, 0, sv)) {
		snprintf(why, why_len, "user: socketpair: %s", strerror(errno));
		goto fail;
	}
	for (k = 0; k < 2; k++) {
		setsockopt(sv[k], SOL_SOCKET, SO_SNDBUF, &buf, sizeof(buf));
		setsockopt(sv[k], SOL_SOCKET, SO_RCVBUF, &buf, sizeof(buf));
	}
	posix_spawn_file_actions_init(&fa);
	posix_spawn_file_actions_adddup2(&fa, sv[1], 3);
	/* Not vireo-vm's blocked signals (signals.c): SIGTERM ends it. */
	posix_spawnattr_init(&attr);
	sigemptyset(&mask);
	posix_spawnattr_setsigmask(&attr, &mask);
	posix_spawnattr_setflags(&attr, POSIX_SPAWN_SETSIGMASK);
	err = posix_spawn(&u->pid, helper, &fa, &attr, argv, environ);
	posix_spawnattr_destroy(&attr);
	posix_spawn_file_actions_destroy(&fa);
	close(sv[1]);
	if (err) {
		snprintf(why, why_len, "user: %s: %s", helper, strerror(err));
		goto fail;
	}
	u->be.fd = sv[0];
	sv[0] = -1;
	/* Its one byte once the forwards listen, or its end. */
	p = (struct pollfd){ .fd = u->be.fd, .events = POLLIN };
	if (poll(&p, 1, READY_WAIT_MS) != 1 ||
	    recv(u->be.fd, &ready, 1, 0) != 1) {
		snprintf(why, why_len, "user: vireo-slirp did not start (its message above)");
		if (kill(u->pid, SIGKILL))
			u->pid = 0;
		user_free(&u->be);	/* closes, reaps */
		free(fwds);
		return -EINVAL;
	}
	fcntl(u->be.fd, F_SETFL, O_NONBLOCK);
	free(fwds);
	*be = &u->be;
	return 0;
fail:
	if (sv[0] >= 0)
		close(sv[0]);
	free(fwds);
	free(u);
	return -EINVAL;
}
