// SPDX-License-Identifier: GPL-2.0
/*
 * virtio-net (VIRTIO 1.1, 5.1 "Network Device"): one receive and one
 * transmit queue, a MAC address, the link always up, over one back end
 * (net/net.h): `--net tap=IFNAME[,addr=CIDR|bridge=BR][,mac=M]`, or
 * `--device virtio-net,...` with the keys below.  A Linux guest sees eth0
 * (virtio_net), in command-line order.
 *
 * Frames go both ways with the 12-byte virtio-net header (5.1.6), which
 * the device never interprets: it passes it to the back end as it is
 * (a TAP interface takes it as the kernel's own, checks it and does the
 * checksums and segmentation the guest left to it), and what the back end
 * hands over goes to the guest with its header, num_buffers set.  The
 * offloads offered are the back end's: checksums and TSO both ways for
 * TAP.  With VIRTIO_NET_F_MRG_RXBUF a received frame is spread over as
 * many receive buffers as it needs, published together (virtq_push_n());
 * without it a frame that does not fit one chain is dropped, as QEMU does.
 *
 * Everything runs on the transport's I/O thread, under the device's
 * lock: the transmit queue's notifications, and the back end's fd, which
 * the thread watches only while the receive queue has room (a frame that
 * found none waits, and the fd is not read, until the driver adds
 * buffers).  At most a queue's worth of frames per turn either way, so a
 * flood on one side cannot keep the thread from the other.
 *
 * A guest's malformed transmit request (no header, more than a frame) is
 * given back unsent and counted; a broken queue sets DEVICE_NEEDS_RESET
 * (the transport).  Statistics go to the VM's log at exit.
 */
#include <errno.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <seccomp.h>
#include <linux/virtio_ids.h>
#include <linux/virtio_net.h>

#include "le.h"
#include "../devices.h"
#include "../net/net.h"
#include "util.h"
#include "virtio_pci.h"

#define NET_RXQ			0
#define NET_TXQ			1
#define NET_QUEUE_SIZE		256
#define NET_BUF_LEN		(NET_HDR_LEN + NET_MAX_FRAME)
/* mac, status, max_virtqueue_pairs (5.1.4). */
#define NET_CONFIG_SIZE		10

struct net_stats {
	uint64_t rx_packets, rx_bytes, rx_dropped;
	uint64_t tx_packets, tx_bytes, tx_dropped, tx_bad;
};

struct virtio_net {
	struct virtio_pci vp;
	struct virtio_ops ops;		/* the back end's offloads in it */
	struct device *dev;
	struct net_backend *be;
	uint8_t mac[6];
	struct virtq_elem elem;
	/* A frame from the back end the guest had no room for yet. */
	uint8_t *rxbuf;
	size_t rx_len;			/* 0: none */
	struct vring_used_elem used[NET_QUEUE_SIZE];
	bool be_dead;			/* it hung up: link down, not watched */
	struct net_stats st;
};

/* The class hooks of virtio_pci.h take dev->state as its transport. */
_Static_assert(offsetof(struct virtio_net, vp) == 0, "vp first");

static void net_config_read(struct virtio_pci *vp, uint32_t off, uint8_t *buf,
			    uint32_t len)
{
	struct virtio_net *n = vp->opaque;
	uint8_t cfg[NET_CONFIG_SIZE];

	memcpy(cfg, n->mac, 6);
	le16_put(cfg + 6, n->be_dead ? 0 : VIRTIO_NET_S_LINK_UP);
	le16_put(cfg + 8, 1);
	memcpy(buf, cfg + off, len);	/* the transport checked the range */
}

/* Copy len bytes from src into the iovecs, from their start: the count. */
static size_t iov_put(const struct iovec *iov, unsigned int cnt,
		      const uint8_t *src, size_t len)
{
	size_t done = 0, k;
	unsigned int i;

	for (i = 0; i < cnt && done < len; i++) {
		k = iov[i].iov_len < len - done ? iov[i].iov_len : len - done;
		memcpy(iov[i].iov_base, src + done, k);
		done += k;
	}
	return done;
}

/* The byte at offset off of the iovecs, or NULL past their end. */
static uint8_t *iov_byte(const struct iovec *iov, unsigned int cnt, size_t off)
{
	unsigned int i;

	for (i = 0; i < cnt; i++) {
		if (off < iov[i].iov_len)
			return (uint8_t *)iov[i].iov_base + off;
		off -= iov[i].iov_len;
	}
	return NULL;
}

/*
 * Put the frame in rxbuf into receive buffers: 1 when given (or dropped:
 * it can never fit), 0 when the driver has too few buffers now (they are
 * taken back: the frame waits), -1 when the queue broke.
 */
static int rx_put(struct virtio_net *n)
{
	struct virtq *vq = &n->vp.q[NET_RXQ].vq;
	struct virtq_elem *e = &n->elem;
	bool mrg = virtio_pci_has(&n->vp, VIRTIO_NET_F_MRG_RXBUF);
	uint8_t *nb[2] = { NULL, NULL };
	size_t off = 0, k;
	unsigned int bufs = 0;
	int r;

	while (off < n->rx_len) {
		if (bufs == vq->size) {
			/* Buffers too small for one frame even together. */
			virtq_unpop(vq, bufs);
			n->st.rx_dropped++;
			return 1;
		}
		r = virtq_pop(vq, e);
		if (r < 0)
			return -1;
		if (!r) {
			virtq_unpop(vq, bufs);
			return 0;
		}
		/*
		 * 5.1.6.3.1: receive buffers are device-writable; a chain with
		 * none is a broken driver's (and would cost a walk per frame).
		 */
		if (!e->in)
			return -1;
		/* The driver's readable buffers mean nothing here. */
		if (!bufs) {
			/* 5.1.6.3.1: the header fits the first buffer. */
			nb[0] = iov_byte(e->iov + e->out, e->in, 10);
			nb[1] = iov_byte(e->iov + e->out, e->in, 11);
			if (!nb[1]) {
				virtq_unpop(vq, 1);
				n->st.rx_dropped++;
				return 1;
			}
		}
		k = iov_put(e->iov + e->out, e->in, n->rxbuf + off,
			    n->rx_len - off);
		n->used[bufs].id = e->head;
		n->used[bufs].len = k;
		bufs++;
		off += k;
		if (!mrg && off < n->rx_len) {
			/* One chain must hold it all: dropped (QEMU's way). */
			virtq_unpop(vq, bufs);
			n->st.rx_dropped++;
			return 1;
		}
	}
	/* num_buffers, little-endian (5.1.6); 1 without MRG_RXBUF. */
	*nb[0] = bufs & 0xff;
	*nb[1] = bufs >> 8;
	virtq_push_n(vq, n->used, bufs);
	n->st.rx_packets++;
	n->st.rx_bytes += n->rx_len - NET_HDR_LEN;
	return 1;
}

/*
 * Make the header of the frame in rxbuf one the driver asked for
 * (5.1.6.4.1): no checksum flags without GUEST_CSUM, no segmentation it
 * did not take.  A TAP's offloads follow the driver's features, but frames
 * queued before a reset were made for the driver before.  False: drop it.
 */
static bool rx_header_ok(struct virtio_net *n)
{
	struct virtio_net_hdr_v1 *h = (struct virtio_net_hdr_v1 *)n->rxbuf;
	uint8_t gso = h->gso_type & ~VIRTIO_NET_HDR_GSO_ECN;

	h->num_buffers = 0;	/* a TAP writes only the first 10 bytes */
	if (!virtio_pci_has(&n->vp, VIRTIO_NET_F_GUEST_CSUM)) {
		if (h->flags & VIRTIO_NET_HDR_F_NEEDS_CSUM)
			return false;
		h->flags = 0;
	}
	switch (gso) {
	case VIRTIO_NET_HDR_GSO_NONE:
		return true;
	case VIRTIO_NET_HDR_GSO_TCPV4:
		return virtio_pci_has(&n->vp, VIRTIO_NET_F_GUEST_TSO4);
	case VIRTIO_NET_HDR_GSO_TCPV6:
		return virtio_pci_has(&n->vp, VIRTIO_NET_F_GUEST_TSO6);
	default:
		return false;	/* UFO, USO: never offered */
	}
}

/* The back end hung up: the link goes down, and the driver is told. */
static void backend_gone(struct virtio_net *n, int err)
{
	pr_err("%s: %s: %s; the link is down\n", n->dev->name, n->be->desc,
	       strerror(-err));
	n->be_dead = true;
	virtio_pci_config_changed(&n->vp);
}

/*
 * Frames from the back end into the guest, at most a queue's worth: the
 * I/O thread, the lock held.  Watches the back end's fd while there is
 * room for more.
 */
static void rx_run(struct virtio_net *n)
{
	struct virtio_pci *vp = &n->vp;
	unsigned int budget = NET_QUEUE_SIZE;
	bool given = false, room = true;
	ssize_t len;
	int r;

	if (n->be_dead || !vp->q[NET_RXQ].enabled || vp->q[NET_RXQ].vq.broken ||
	    !(vp->status & VIRTIO_CONFIG_S_DRIVER_OK) ||
	    (vp->status & VIRTIO_CONFIG_S_NEEDS_RESET)) {
		virtio_pci_watch_on(vp, false);
		return;
	}
	while (budget--) {
		if (!n->rx_len) {
			len = n->be->ops->recv(n->be, n->rxbuf, NET_BUF_LEN);
			if (len == -EAGAIN || len == -EINTR)
				break;
			if (len == -EMSGSIZE) {
				n->st.rx_dropped++;	/* that frame only */
				continue;
			}
			if (len < 0) {
				/* vireo-slirp ended, the TAP went away. */
				backend_gone(n, len);
				room = false;
				break;
			}
			if ((size_t)len <= NET_HDR_LEN || !rx_header_ok(n)) {
				n->st.rx_dropped++;
				continue;
			}
			n->rx_len = len;
		}
		r = rx_put(n);
		if (r < 0) {
			virtio_pci_needs_reset(vp, NET_RXQ);
			n->rx_len = 0;
			room = false;
			break;
		}
		if (!r) {
			/* More buffers meanwhile: again; else their notify. */
			if (virtq_notify_on_more(&vp->q[NET_RXQ].vq))
				continue;
			room = false;
			break;
		}
		given = true;
		n->rx_len = 0;
	}
	if (given)
		virtio_pci_queue_done(vp, NET_RXQ);
	virtio_pci_watch_on(vp, room);
}

static void net_backend_ready(struct virtio_pci *vp)
{
	rx_run(vp->opaque);
}

/* The driver's frames to the back end, at most a queue's worth. */
static void tx_run(struct virtio_net *n)
{
	struct virtq *vq = &n->vp.q[NET_TXQ].vq;
	struct virtq_elem *e = &n->elem;
	unsigned int left = vq->size;
	int r = 0;

	while (left && (r = virtq_pop(vq, e)) == 1) {
		left--;
		/* Writable buffers mean nothing here: only the readable go. */
		if (e->out_len <= NET_HDR_LEN || e->out_len > NET_BUF_LEN) {
			n->st.tx_bad++;
		} else if (n->be->ops->send(n->be, e->iov, e->out)) {
			n->st.tx_dropped++;
		} else {
			n->st.tx_packets++;
			n->st.tx_bytes += e->out_len - NET_HDR_LEN;
		}
		virtq_push(vq, e->head, 0);
	}
	if (r < 0)
		virtio_pci_needs_reset(&n->vp, NET_TXQ);
	virtio_pci_queue_done(&n->vp, NET_TXQ);
	/* A queue's worth done and more waiting: another turn, after rx. */
	if (!left && virtq_has_work(vq))
		virtio_pci_kick(&n->vp, NET_TXQ);
}

static void net_notify(struct virtio_pci *vp, unsigned int q)
{
	struct virtio_net *n = vp->opaque;

	if (q == NET_TXQ)
		tx_run(n);
	else
		rx_run(n);	/* new receive buffers */
}

static void net_driver_ok(struct virtio_pci *vp)
{
	struct virtio_net *n = vp->opaque;
	int err = n->be->ops->set_offload(n->be, vp->features);

	if (err)
		pr_err("%s: %s: offloads: %s\n", n->dev->name, n->be->desc,
		       strerror(-err));
	/* The I/O thread looks at the back end (and the queue) from now. */
	virtio_pci_watch_on(vp, true);
}

/* The driver's reset (the transport's state is reset already). */
static void net_reset_device(struct virtio_pci *vp)
{
	struct virtio_net *n = vp->opaque;

	/* Nothing is read for a guest that has no queue (or a new one). */
	virtio_pci_watch_on(vp, false);
	n->rx_len = 0;
	if (n->be)
		n->be->ops->set_offload(n->be, 0);
}

static const char *const net_keys[] = {
	"tap", "addr", "bridge", "user", "hostfwd", "mac", NULL
};

/* "52:54:00:12:34:56": 0, or -EINVAL for a malformed or group address. */
static int parse_mac(const char *s, uint8_t mac[6])
{
	unsigned int b[6];
	char end;
	int i;

	if (sscanf(s, "%2x:%2x:%2x:%2x:%2x:%2x%c", &b[0], &b[1], &b[2],
		   &b[3], &b[4], &b[5], &end) != 6 || strlen(s) != 17)
		return -EINVAL;
	for (i = 0; i < 6; i++)
		mac[i] = b[i];
	if (mac[0] & 1)
		return -EINVAL;		/* multicast or broadcast */
	for (i = 0; i < 6; i++)
		if (mac[i])
			return 0;
	return -EINVAL;
}

/*
 * No mac=: one made from the back end's name and the instance's index, the
 * same at every start of the same command line; locally administered
 * (02:...), unicast.  vmctl stores one per NIC in the VM's settings.
 */
static void default_mac(const char *seed, unsigned int index, uint8_t mac[6])
{
	uint32_t h = 2166136261u;	/* FNV-1a */
	const char *p;
	int i;

	for (p = seed; *p; p++)
		h = (h ^ (uint8_t)*p) * 16777619u;
	h = (h ^ index) * 16777619u;
	mac[0] = 0x02;
	mac[1] = 0x56;		/* 'V' */
	for (i = 2; i < 6; i++) {
		mac[i] = h & 0xff;
		h >>= 8;
	}
}

static void net_free(struct virtio_net *n)
{
	virtio_pci_free(&n->vp);
	if (n->be)
		n->be->ops->free(n->be);
	free(n->rxbuf);
	free(n);
}

static const struct virtio_ops net_ops = {
	.type = VIRTIO_ID_NET,
	.class_code = 0x020000,		/* Ethernet controller */
	.nr_queues = 2,
	.queue_size = NET_QUEUE_SIZE,
	.config_size = NET_CONFIG_SIZE,
	.config_read = net_config_read,
	.notify = net_notify,
	.reset = net_reset_device,
	.driver_ok = net_driver_ok,
};

static int net_create(struct device *dev, const struct dev_opts *opts,
		      char *why, size_t why_len)
{
	const char *tap = dev_opt(opts, "tap");
	const char *user = dev_opt(opts, "user");
	const char *mac = dev_opt(opts, "mac");
	struct virtio_net *n;
	int err;

	if (!tap == !user) {
		snprintf(why, why_len, "tap=IFNAME or user=on: one back end");
		return -EINVAL;
	}
	if (user && strcmp(user, "on")) {
		snprintf(why, why_len, "user=%s: on", user);
		return -EINVAL;
	}
	if (tap ? !!dev_opt(opts, "hostfwd") :
	    dev_opt(opts, "addr") || dev_opt(opts, "bridge")) {
		snprintf(why, why_len, "%s", tap ?
			 "hostfwd= is user-mode networking's, not tap's" :
			 "addr= and bridge= are tap's, not user-mode networking's");
		return -EINVAL;
	}
	if (dev_opt(opts, "addr") && dev_opt(opts, "bridge")) {
		snprintf(why, why_len, "addr= or bridge=, not both");
		return -EINVAL;
	}
	if (!dev->m->ioeventfd) {
		snprintf(why, why_len, "needs an I/O thread (vireo-vm's)");
		return -EINVAL;
	}
	n = calloc(1, sizeof(*n));
	if (!n)
		return -ENOMEM;
	n->dev = dev;
	if (mac && parse_mac(mac, n->mac)) {
		snprintf(why, why_len, "mac=%s: six bytes in hex, xx:xx:xx:xx:xx:xx, unicast and not 0",
			 mac);
		free(n);
		return -EINVAL;
	}
	if (!mac)
		default_mac(tap ? tap : "user", dev->index, n->mac);
	n->rxbuf = calloc(1, NET_BUF_LEN);	/* no heap bytes for a guest */
	if (!n->rxbuf) {
		snprintf(why, why_len, "out of memory");
		err = -ENOMEM;
	} else if (tap) {
		err = net_tap_open(tap, dev_opt(opts, "addr"),
				   dev_opt(opts, "bridge"), &n->be, why,
				   why_len);
	} else {
		err = net_user_open(dev_opt(opts, "hostfwd"), &n->be, why,
				    why_len);
	}
	if (err) {
		net_free(n);
		return err;
	}
	/* 5.1.3: the MAC, the link status, mergeable buffers, offloads. */
	n->ops = net_ops;
	n->ops.features = (1ULL << VIRTIO_NET_F_MAC) |
			  (1ULL << VIRTIO_NET_F_STATUS) |
			  (1ULL << VIRTIO_NET_F_MRG_RXBUF) | n->be->features;
	err = virtio_pci_init(&n->vp, &n->ops, n);
	if (err) {
		snprintf(why, why_len, "virtio transport: %s", strerror(-err));
		net_free(n);
		return err;
	}
	err = virtio_pci_register(&n->vp, dev, why, why_len);
	if (err) {
		net_free(n);
		return err;
	}
	err = virtio_pci_watch(&n->vp, n->be->fd, net_backend_ready);
	if (err) {
		snprintf(why, why_len, "watching its back end: %s",
			 strerror(-err));
		virtio_pci_unregister(&n->vp);
		net_free(n);
		return err;
	}
	dev->state = n;
	pr_info("%s: %s, MAC %02x:%02x:%02x:%02x:%02x:%02x\n", dev->name,
		n->be->desc, n->mac[0], n->mac[1], n->mac[2], n->mac[3],
		n->mac[4], n->mac[5]);
	return 0;
}

static void net_destroy(struct device *dev)
{
	struct virtio_net *n = dev->state;
	struct net_stats *s = &n->st;

	/* The thread, then off the bus, then the eventfds and the back end. */
	virtio_pci_unregister(&n->vp);
	pr_info("%s: received %llu frames (%llu bytes), %llu dropped; sent %llu frames (%llu bytes), %llu dropped, %llu malformed\n",
		dev->name, (unsigned long long)s->rx_packets,
		(unsigned long long)s->rx_bytes,
		(unsigned long long)s->rx_dropped,
		(unsigned long long)s->tx_packets,
		(unsigned long long)s->tx_bytes,
		(unsigned long long)s->tx_dropped,
		(unsigned long long)s->tx_bad);
	net_free(n);
}


/*
 * TAP: read and writev (the VM process's own), TUNSETOFFLOAD (seccomp.c's
 * ioctls); user-mode: a frame each way on the socket to vireo-slirp.
 */
static const int net_syscalls[] = {
	SCMP_SYS(recvfrom), SCMP_SYS(sendmsg), SCMP_SYS(wait4),
};

static const struct dev_class virtio_net_class = {
	.name = "virtio-net",
	.desc = "virtio network card (PCI 1af4:1041) on a TAP interface or user-mode networking",
	.level = DEV_INIT_DEV,
	.max_instances = 8,
	.keys = net_keys,
	.keys_help = "tap=IFNAME,addr=CIDR,bridge=BR,user=on,hostfwd=tcp:[ADDR]:HPORT-:GPORT[+...],mac=xx:xx:xx:xx:xx:xx",
	.create = net_create,
	.reset = virtio_pci_dev_reset,
	.pause = virtio_pci_dev_pause,
	.resume = virtio_pci_dev_resume,
	.stop = virtio_pci_dev_stop,
	.destroy = net_destroy,
	.syscalls = net_syscalls,
	.nr_syscalls = ARRAY_SIZE(net_syscalls),
};
DEVICE_CLASS(virtio_net_class);
