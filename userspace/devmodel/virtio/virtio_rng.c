// SPDX-License-Identifier: GPL-2.0
/*
 * virtio-rng (VIRTIO 1.1, 5.4 "Entropy Device"): one queue of buffers the
 * driver gives the device to fill with random bytes, from the host's
 * getrandom().  `--device virtio-rng` adds one; a Linux guest sees it as
 * /dev/hwrng (virtio_rng).
 */
#include <errno.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <seccomp.h>
#include <sys/random.h>
#include <linux/virtio_ids.h>

#include "../devices.h"
#include "util.h"
#include "virtio_pci.h"

struct virtio_rng {
	struct virtio_pci vp;
	struct virtq_elem elem;
};

/* The class hooks of virtio_pci.h take dev->state as its transport. */
_Static_assert(offsetof(struct virtio_rng, vp) == 0, "vp first");

/* At most this much of a request is filled, as QEMU's virtio-rng does. */
#define RNG_MAX_PER_REQUEST	(64 * 1024)

/*
 * Fill the buffers the driver made available: at most a queue's worth of
 * requests per notification, and RNG_MAX_PER_REQUEST of each, so that a
 * guest asking for gigabytes (buffers may repeat) or adding buffers as
 * fast as they go keeps the device, its lock and its vCPU busy for
 * milliseconds, not minutes; it notifies again for more.  GRND_NONBLOCK:
 * a host whose pool is not ready yet gives nothing rather than wait.
 */
static void rng_notify(struct virtio_pci *vp, unsigned int q)
{
	struct virtio_rng *rng = vp->opaque;
	struct virtq_elem *e = &rng->elem;
	unsigned int i, left = vp->q[q].vq.size;
	uint32_t done;
	ssize_t n;
	int r = 0;

	while (left-- && (r = virtq_pop(&vp->q[q].vq, e)) == 1) {
		done = 0;
		/* Readable buffers mean nothing to this device: skipped. */
		for (i = e->out; i < e->out + e->in; i++) {
			size_t want = e->iov[i].iov_len;

			if (want > RNG_MAX_PER_REQUEST - done)
				want = RNG_MAX_PER_REQUEST - done;
			n = want ? getrandom(e->iov[i].iov_base, want,
					     GRND_NONBLOCK) : 0;
			if (n <= 0)
				break;
			done += n;
			if ((size_t)n < e->iov[i].iov_len)
				break;
		}
		virtq_push(&vp->q[q].vq, e->head, done);
	}
	if (r < 0)
		virtio_pci_needs_reset(vp, q);
	virtio_pci_queue_done(vp, q);
}

static const struct virtio_ops rng_ops = {
	.type = VIRTIO_ID_RNG,
	.class_code = 0xff0000,		/* "unassigned class" (QEMU's) */
	.nr_queues = 1,
	.queue_size = 64,
	.notify = rng_notify,
};

static int rng_create(struct device *dev, const struct dev_opts *opts,
		      char *why, size_t why_len)
{
	struct virtio_rng *rng = calloc(1, sizeof(*rng));
	int err;

	if (!rng)
		return -ENOMEM;
	err = virtio_pci_init(&rng->vp, &rng_ops, rng);
	if (err) {
		snprintf(why, why_len, "virtio transport: %s", strerror(-err));
		virtio_pci_free(&rng->vp);
		free(rng);
		return err;
	}
	err = virtio_pci_register(&rng->vp, dev, why, why_len);
	if (err) {
		virtio_pci_free(&rng->vp);
		free(rng);
		return err;
	}
	dev->state = rng;
	return 0;
}

static void rng_destroy(struct device *dev)
{
	struct virtio_rng *rng = dev->state;

	virtio_pci_unregister(&rng->vp);
	virtio_pci_free(&rng->vp);
	free(rng);
}

static const int rng_syscalls[] = { SCMP_SYS(getrandom) };

static const struct dev_class virtio_rng_class = {
	.name = "virtio-rng",
	.desc = "virtio entropy device (PCI 1af4:1044), from the host's getrandom()",
	.level = DEV_INIT_DEV,
	.max_instances = 4,
	.create = rng_create,
	.reset = virtio_pci_dev_reset,
	.pause = virtio_pci_dev_pause,
	.resume = virtio_pci_dev_resume,
	.stop = virtio_pci_dev_stop,
	.destroy = rng_destroy,
	.syscalls = rng_syscalls,
	.nr_syscalls = ARRAY_SIZE(rng_syscalls),
};
DEVICE_CLASS(virtio_rng_class);
