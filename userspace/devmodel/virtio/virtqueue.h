/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Split virtqueues, the device's side (VIRTIO 1.1, 2.6 "Split
 * Virtqueues"): every virtio device takes its requests from one of these
 * and gives them back; the device file holds only what a request means.
 *
 * Everything the guest wrote in the rings is untrusted.  The rings are
 * mapped once, when the driver enables the queue, through the VM's one
 * guest-memory accessor (guest_mem.h): each must lie in RAM, the used
 * ring in writable RAM.  Each descriptor is read once, into the device's
 * own copy, and every buffer it names is translated through the same
 * accessor, so a request holds host pointers into guest RAM only.  A
 * queue the driver broke (an index that jumps by more than the queue
 * size, a head or a next out of range, a loop, a chain longer than the
 * queue or than VIRTQ_MAX_SEGS, a zero-length buffer, a buffer outside
 * RAM, a readable buffer after a writable one, a nested or badly sized
 * indirect table, or an indirect one without the feature) stays broken:
 * virtq_pop() answers -EIO from then on, and the transport sets
 * DEVICE_NEEDS_RESET (2.1.1).  Nothing ends the VM process.
 *
 * One thread at a time uses a queue (its device's I/O thread); the guest
 * runs concurrently, and the orderings are the ones 2.6.13 asks of a
 * device: the avail index read with acquire before the ring entries, the
 * used entries written before the used index (release), and the index
 * read before deciding to notify (a full fence), as in the spec's
 * pseudo-code and QEMU's and Linux's vhost.
 */
#ifndef VIREO_VIRTQUEUE_H
#define VIREO_VIRTQUEUE_H

#include <stdbool.h>
#include <stdint.h>
#include <sys/uio.h>
#include <linux/virtio_ring.h>

#include "../guest_mem.h"

/* The largest queue a device offers, and the longest chain it takes. */
#define VIRTQ_MAX_SIZE		1024
#define VIRTQ_MAX_SEGS		1024

struct virtq {
	/* Set by the transport from the driver's configuration. */
	uint16_t size;			/* a power of 2, <= VIRTQ_MAX_SIZE */
	uint64_t desc_gpa, avail_gpa, used_gpa;
	bool event_idx;			/* VIRTIO_RING_F_EVENT_IDX */
	bool indirect;			/* VIRTIO_RING_F_INDIRECT_DESC */

	/* From virtq_enable() on. */
	const struct guest_mem *gm;
	struct vring_desc *desc;
	struct vring_avail *avail;
	struct vring_used *used;
	uint16_t last_avail;		/* the next avail entry to take */
	uint16_t used_idx;		/* what used->idx says */
	uint16_t signalled_used;	/* used->idx at the last interrupt */
	bool signalled_valid;
	bool ready;
	bool broken;
	const char *why;		/* what broke it, for the log */
};

/*
 * A request: the buffers of one descriptor chain, the driver's readable
 * ones first (out), then the ones the device writes (in), as host
 * pointers into guest RAM.
 */
struct virtq_elem {
	uint16_t head;
	unsigned int out, in;
	uint64_t out_len, in_len;	/* bytes in each part */
	struct iovec iov[VIRTQ_MAX_SEGS];
};

/*
 * Map the rings the transport set in q (size and addresses) through gm and
 * start from index 0: 0, or -EINVAL (size) / -EFAULT (a ring outside RAM
 * or misaligned), the queue then broken.
 */
int virtq_enable(struct virtq *q, const struct guest_mem *gm);
/* Back to the state at reset: not ready, not broken, nothing mapped. */
void virtq_reset(struct virtq *q);

/*
 * The next request: 1 with *e filled, 0 when the driver made none, -EIO
 * when the queue is broken (now or before; q->why says why).
 */
int virtq_pop(struct virtq *q, struct virtq_elem *e);

/*
 * Give back a request (its head), with the number of bytes the device
 * wrote into its in buffers.  Nothing for a queue that broke.
 */
void virtq_push(struct virtq *q, uint16_t head, uint32_t written);

/*
 * Give back n requests at once (id = head, len = bytes written): every
 * entry is written before the one index update that publishes them, so
 * that the driver sees all or none (a packet spread over several buffers,
 * VIRTIO_NET_F_MRG_RXBUF).  n at most the queue size.
 */
void virtq_push_n(struct virtq *q, const struct vring_used_elem *e,
		  unsigned int n);

/*
 * Take back the last n requests virtq_pop() gave and did not push: the
 * next pops give them again (a device that found too few buffers for what
 * it had to put, and waits for more).
 */
void virtq_unpop(struct virtq *q, unsigned int n);

/*
 * The device needs more buffers than the driver has made available (a
 * frame that does not fit what is there): ask to be notified when the
 * driver adds to what it has published now.  True when it added some
 * meanwhile (look again at once), false when a notification will come.
 */
bool virtq_notify_on_more(struct virtq *q);

/* After pushes: should the driver be interrupted (2.6.7, 2.6.10)? */
bool virtq_should_notify(struct virtq *q);

/*
 * Ask the driver for notifications (true) or not (false) while the
 * device works through the queue anyway (2.6.7.1, 2.6.10.1); after
 * enabling, virtq_pop() again, as a request may have come meanwhile.
 */
void virtq_set_notify(struct virtq *q, bool enable);

/* Does the driver have requests the device has not taken? */
bool virtq_has_work(struct virtq *q);

#endif /* VIREO_VIRTQUEUE_H */
