/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Network back ends: where a virtio-net device's frames go and come from.
 * The device (virtio/virtio_net.c) knows none of them; it moves frames,
 * each led by a struct virtio_net_hdr_v1 (12 bytes: checksum and
 * segmentation offload, VIRTIO 1.1 5.1.6), to and from one of these:
 *
 *   tap.c     a TAP interface of the host's (created, or attached by name),
 *             brought up, given an address or put in a bridge through
 *             libnl-route-3; the header goes through as the kernel's own
 *             (IFF_VNET_HDR), so checksums and TSO are offloaded both ways
 * *   user.c    user-mode networking (NAT, port forwards from the host)
 *             through libslirp in a process of its own, vireo-slirp; no
 *             offloads
 *
 * A back end's fd is readable while it has a frame for the guest; recv()
 * then gives one.  Everything runs on the device's I/O thread.
 */
#ifndef VIREO_NET_H
#define VIREO_NET_H

#include <stddef.h>
#include <stdint.h>
#include <sys/types.h>
#include <sys/uio.h>
#include <linux/virtio_net.h>

#define NET_HDR_LEN	sizeof(struct virtio_net_hdr_v1)
/* The largest frame either way: 64 KiB of TSO and its Ethernet header. */
#define NET_MAX_FRAME	(65535 + 14 + 4)

struct net_backend;

struct net_backend_ops {
	/*
	 * One frame for the guest, header first, into buf: its length, or
	 * -EAGAIN when there is none, or another -errno.  A frame longer
	 * than len is cut (never, with len NET_HDR_LEN + NET_MAX_FRAME).
	 */
	ssize_t (*recv)(struct net_backend *be, void *buf, size_t len);
	/* One frame from the guest, header first: 0 or -errno (dropped). */
	int (*send)(struct net_backend *be, const struct iovec *iov,
		    unsigned int n);
	/*
	 * The offloads the guest's driver takes (VIRTIO_NET_F_GUEST_*
	 * bits): what recv() may hand it from now on.  0 or -errno.
	 */
	int (*set_offload)(struct net_backend *be, uint64_t guest_features);
	void (*free)(struct net_backend *be);
};

struct net_backend {
	const struct net_backend_ops *ops;
	int fd;				/* readable: recv() has a frame */
	/* VIRTIO_NET_F_* offloads it takes from and gives to a guest. */
	uint64_t features;
	char desc[64];			/* "tap vtap0", for messages */
};

/*
 * A TAP back end in *be: ifname (created when it does not exist:
 * CAP_NET_ADMIN), up, with addr ("10.0.0.1/24", or NULL) or in bridge (or
 * NULL).  0, or -errno with the reason in why: -EINVAL for a bad name,
 * -EWOULDBLOCK when another process has the interface (in use, as a
 * locked disk image is), another for the host's refusal.
 */
int net_tap_open(const char *ifname, const char *addr, const char *bridge,
		 struct net_backend **be, char *why, size_t why_len);

/*
 * A user-mode back end in *be: vireo-slirp started with the port forwards
 * in hostfwd ("tcp:[ADDR]:HPORT-:GPORT", several joined by '+'; or NULL).
 * 0, or -errno with the reason in why (-EINVAL: vireo-slirp refused the
 * forwards, or a port was taken: its message says which).
 */
int net_user_open(const char *hostfwd, struct net_backend **be, char *why,
		  size_t why_len);

#endif /* VIREO_NET_H */
