// SPDX-License-Identifier: GPL-2.0
/*
 * The TAP back end (net.h): frames to and from a TAP interface of the
 * host, with the kernel's virtio-net header (IFF_VNET_HDR,
 * Documentation/networking/tuntap.rst), so that the guest's checksum and
 * TSO offloads reach the host's stack as they are, and the host's come to
 * the guest unsegmented.
 *
 * The interface is configured through rtnetlink with libnl-route-3: up,
 * and an address or a bridge if asked.  One that vireo-vm created goes
 * with it (not persistent); one that existed (`ip tuntap add ... user U`)
 * is attached, and TUNSETIFF refuses it while another process has it
 * (EBUSY): two VMs cannot share one.
 */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <net/if.h>
#include <sys/ioctl.h>
#include <linux/if_tun.h>
#include <netlink/netlink.h>
#include <netlink/route/addr.h>
#include <netlink/route/link.h>

#include "net.h"

struct tap {
	struct net_backend be;
};

static ssize_t tap_recv(struct net_backend *be, void *buf, size_t len)
{
	ssize_t n = read(be->fd, buf, len);

	return n < 0 ? -errno : n;
}

static int tap_send(struct net_backend *be, const struct iovec *iov,
		    unsigned int n)
{
	return writev(be->fd, iov, n) < 0 ? -errno : 0;
}

static int tap_set_offload(struct net_backend *be, uint64_t guest)
{
	unsigned int off = 0;

	/* What the guest takes is what the interface may hand us. */
	if (guest & (1ULL << VIRTIO_NET_F_GUEST_CSUM)) {
		off |= TUN_F_CSUM;
		if (guest & (1ULL << VIRTIO_NET_F_GUEST_TSO4))
			off |= TUN_F_TSO4;
		if (guest & (1ULL << VIRTIO_NET_F_GUEST_TSO6))
			off |= TUN_F_TSO6;
	}
	return ioctl(be->fd, TUNSETOFFLOAD, off) < 0 ? -errno : 0;
}

static void tap_free(struct net_backend *be)
{
	if (be->fd >= 0)
		close(be->fd);
	free(be);
}

static const struct net_backend_ops tap_ops = {
	.recv = tap_recv,
	.send = tap_send,
	.set_offload = tap_set_offload,
	.free = tap_free,
};

/* Up, with an address or in a bridge: 0, or -1 with the reason in why. */
static int tap_configure(const char *ifname, const char *addr,
			 const char *bridge, char *why, size_t why_len)
{
	struct rtnl_link *link = NULL, *br = NULL, *change = NULL;
	struct rtnl_addr *a = NULL;
	struct nl_addr *local = NULL;
	struct nl_sock *sk = nl_socket_alloc();
	int err = -NLE_NOMEM;
	const char *what = "netlink";

	if (!sk)
		goto out;
	err = nl_connect(sk, NETLINK_ROUTE);
	if (err < 0)
		goto out;
	what = "finding it";
	err = rtnl_link_get_kernel(sk, 0, ifname, &link);
	if (err < 0)
		goto out;
	if (bridge) {
		what = "finding the bridge";
		err = rtnl_link_get_kernel(sk, 0, bridge, &br);
		if (err < 0)
			goto out;
		what = "adding it to the bridge";
		err = rtnl_link_enslave(sk, br, link);
		if (err < 0)
			goto out;
	}
	if (addr) {
		what = "its address";
		err = nl_addr_parse(addr, AF_UNSPEC, &local);
		if (err < 0)
			goto out;
		a = rtnl_addr_alloc();
		err = -NLE_NOMEM;
		if (!a)
			goto out;
		rtnl_addr_set_ifindex(a, rtnl_link_get_ifindex(link));
		err = rtnl_addr_set_local(a, local);
		if (!err)
			err = rtnl_addr_add(sk, a, 0);
		if (err == -NLE_EXIST)
			err = 0;	/* it has it already: as asked */
		if (err < 0)
			goto out;
	}
	if (!(rtnl_link_get_flags(link) & IFF_UP)) {
		what = "bringing it up";
		change = rtnl_link_alloc();
		err = -NLE_NOMEM;
		if (!change)
			goto out;
		rtnl_link_set_flags(change, IFF_UP);
		err = rtnl_link_change(sk, link, change, 0);
		/*
		 * A user's own TAP (ip tuntap add ... user U), nothing else
		 * asked: without CAP_NET_ADMIN it stays as its owner left
		 * it; say so and go on.
		 */
		if (err == -NLE_PERM && !addr && !bridge) {
			fprintf(stderr, "vireo-vm: %s is down, and bringing it up needs CAP_NET_ADMIN: ip link set %s up\n",
				ifname, ifname);
			err = 0;
		}
	}
out:
	if (err < 0)
		snprintf(why, why_len, "%s %s: %s", ifname, what,
			 nl_geterror(err));
	if (local)
		nl_addr_put(local);
	if (a)
		rtnl_addr_put(a);
	if (change)
		rtnl_link_put(change);
	if (br)
		rtnl_link_put(br);
	if (link)
		rtnl_link_put(link);
	nl_socket_free(sk);
	return err < 0 ? -1 : 0;
}

int net_tap_open(const char *ifname, const char *addr, const char *bridge,
		 struct net_backend **be, char *why, size_t why_len)
{
	struct ifreq ifr = { .ifr_flags = IFF_TAP | IFF_NO_PI | IFF_VNET_HDR };
	int hdr_len = NET_HDR_LEN;
	unsigned int features = 0;
	struct tap *t;
	const char *p;
	int err = -EINVAL;

	if (!*ifname || strlen(ifname) >= IFNAMSIZ) {
		snprintf(why, why_len, "tap=%s: an interface name of 1 to %d characters",
			 ifname, IFNAMSIZ - 1);
		return -EINVAL;
	}
	for (p = ifname; *p; p++) {
		/* '%': TUNSETIFF would name it itself ("tap%d"). */
		if (*p == '/' || *p == ':' || *p == '%' || *p <= ' ' ||
		    *p == 0x7f) {
			snprintf(why, why_len, "tap=%s: not an interface name",
				 ifname);
			return -EINVAL;
		}
	}
	t = calloc(1, sizeof(*t));
	if (!t) {
		snprintf(why, why_len, "out of memory");
		return -ENOMEM;
	}
	t->be.ops = &tap_ops;
	t->be.features = (1ULL << VIRTIO_NET_F_CSUM) |
			 (1ULL << VIRTIO_NET_F_GUEST_CSUM) |
			 (1ULL << VIRTIO_NET_F_GUEST_TSO4) |
			 (1ULL << VIRTIO_NET_F_GUEST_TSO6) |
			 (1ULL << VIRTIO_NET_F_HOST_TSO4) |
			 (1ULL << VIRTIO_NET_F_HOST_TSO6);
	snprintf(t->be.desc, sizeof(t->be.desc), "tap %s", ifname);
	t->be.fd = open("/dev/net/tun", O_RDWR | O_NONBLOCK | O_CLOEXEC);
	if (t->be.fd < 0) {
		err = -errno;
		snprintf(why, why_len, "/dev/net/tun: %s", strerror(errno));
		goto fail;
	}
	if (ioctl(t->be.fd, TUNGETFEATURES, &features) < 0 ||
	    !(features & IFF_VNET_HDR)) {
		snprintf(why, why_len, "/dev/net/tun has no IFF_VNET_HDR");
		err = -ENOTSUP;
		goto fail;
	}
	memcpy(ifr.ifr_name, ifname, strlen(ifname));
	if (ioctl(t->be.fd, TUNSETIFF, &ifr) < 0) {
		int e = errno;

		snprintf(why, why_len, "tap=%s: %s%s", ifname, strerror(e),
			 e == EBUSY ? " (another process has it: a VM?)" :
			 e == EPERM ? " (creating one needs CAP_NET_ADMIN; using one, being its owner: ip tuntap add NAME mode tap user USER)" :
			 e == EINVAL ? " (not a TAP interface?)" : "");
		/* In use: the status of a disk image another VM has. */
		err = e == EBUSY ? -EWOULDBLOCK : -e;
		goto fail;
	}
	/* The header is VIRTIO 1's, whatever the driver takes (5.1.6). */
	if (ioctl(t->be.fd, TUNSETVNETHDRSZ, &hdr_len) < 0 ||
	    ioctl(t->be.fd, TUNSETOFFLOAD, 0) < 0) {
		err = -errno;
		snprintf(why, why_len, "tap=%s: its virtio-net header: %s",
			 ifname, strerror(errno));
		goto fail;
	}
	if (tap_configure(ifname, addr, bridge, why, why_len)) {
		err = -EINVAL;	/* no such bridge, a bad address, ... */
		goto fail;
	}
	*be = &t->be;
	return 0;
fail:
	tap_free(&t->be);
	return err;
}
