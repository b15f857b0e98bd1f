// SPDX-License-Identifier: GPL-2.0
/*
 * virtio-blk (VIRTIO 1.1, 5.2 "Block Device") on a raw image file:
 * `--disk FILE[,readonly][,serial=S]`, or `--device virtio-blk,path=FILE`
 * with the keys below.  A Linux guest sees /dev/vda, vdb, ... in
 * command-line order.
 *
 * The image is opened and locked when the VM is built: flock() LOCK_EX
 * for a disk the guest writes, LOCK_SH for a read-only one, so two Vireo
 * VMs (or a VM and any tool that flock()s) never write one image at once.
 * QEMU locks its images too, but with OFD byte-range locks (fcntl), which
 * do not conflict with flock(): a QEMU VM is not kept out.  The image keeps its holes: reads of them are zeros,
 * discard and write-zeroes punch new ones (fallocate).
 *
 * Requests are checked before any I/O: a length that is no multiple of
 * 512, or a range past the disk's end, is answered IOERR and touches
 * nothing, so a guest's mistake never reaches the image; a host error
 * (EIO under the file) reaches the guest as IOERR too.  A FLUSH completes
 * only after fdatasync() of the image returned (5.2.6.2), which is why
 * VIRTIO_BLK_F_FLUSH is offered: Linux then flushes where a real disk's
 * write cache would need it.
 *
 * The I/O: the transport's I/O thread takes requests off the queues (the
 * device's lock held) and hands them to a pool of BLK_WORKERS threads,
 * which read and write guest memory directly (preadv/pwritev on the
 * iovecs virtqueue.h checked) without the lock, and take it only to give
 * the request back.  Chosen over io_uring because each request then stays
 * a plain system call that the VM process's seccomp filter sees (io_uring's
 * own requests would not be); docs/virtio.md has the figures.  Without
 * an I/O thread (the unit tests) requests run at once on the notifying
 * thread.
 *
 * Reset (the driver's status 0, or the machine's) drops requests not
 * started and waits for those in flight, so no write into guest memory
 * or the image follows it; pause waits for them too and keeps the
 * completions for resume, so a paused guest's memory stands still.
 */
#include <endian.h>
#include <errno.h>
#include <stddef.h>
#include <fcntl.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <seccomp.h>
#include <sys/file.h>
#include <sys/stat.h>
#include <sys/uio.h>
#include <linux/falloc.h>
#include <linux/virtio_blk.h>
#include <linux/virtio_ids.h>

#include "le.h"
#include "../devices.h"
#include "util.h"
#include "virtio_pci.h"

#define SECTOR_SHIFT		9
#define SECTOR_SIZE		(1u << SECTOR_SHIFT)
#define BLK_QUEUE_SIZE		256
#define BLK_MAX_QUEUES		8
#define BLK_WORKERS		4
#define BLK_REQS		128	/* in flight per device, at most */
/* Discard and write-zeroes: ranges per request, sectors per range. */
#define BLK_MAX_RANGES		32
#define BLK_MAX_RANGE_SECTORS	(1u << 22)	/* 2 GiB */
/*
 * The most data one read or write may carry.  Linux sends at most
 * max_sectors_kb (1280 KiB by default) per request; a bound keeps what a
 * reset or a pause waits for (the I/O in flight) short whatever a guest
 * builds: a chain of 1024 buffers of 4 GiB each, all the same pages,
 * would otherwise read a whole disk in one request.
 */
#define BLK_MAX_REQUEST		(64u << 20)
/* The configuration space up to write_zeroes_may_unmap and its padding. */
#define BLK_CONFIG_SIZE		(offsetof(struct virtio_blk_config, unused1) + 3)

struct blk_req {
	struct blk_req *next;
	unsigned int q;
	uint32_t gen;
	uint32_t written;
	struct virtq_elem elem;
};

struct blk_stats {
	uint64_t reads, writes, flushes, discards, write_zeroes, get_ids;
	uint64_t bytes_read, bytes_written;
	uint64_t guest_errors, host_errors, unsupported;
};

struct virtio_blk {
	struct virtio_pci vp;
	struct virtio_ops ops;		/* blk_ops, with this disk's queues */
	struct device *dev;
	int fd;
	bool readonly;
	uint64_t sectors;
	char serial[VIRTIO_BLK_ID_BYTES];
	uint8_t config[BLK_CONFIG_SIZE];	/* little-endian, fixed */

	/* The device's lock: the free list, gen, parked, starved. */
	struct blk_req *reqs;
	struct blk_req *free;
	struct blk_req *parked;		/* done while paused, for resume */
	uint32_t gen;			/* +1 at every reset */
	bool starved[BLK_MAX_QUEUES];	/* left requests for want of room */

	/* The pool: pool_lock for work, busy, paused and stopping. */
	bool pooled;
	pthread_mutex_t pool_lock;
	pthread_cond_t work_cv, idle_cv;
	struct blk_req *work, **work_tail;
	unsigned int busy;		/* taken by a worker, I/O not over */
	bool paused, stopping;
	unsigned int nr_workers;
	pthread_t workers[BLK_WORKERS];

	struct blk_stats st;		/* atomics */
};

/* The class hooks of virtio_pci.h take dev->state as its transport. */
_Static_assert(offsetof(struct virtio_blk, vp) == 0, "vp first");

static void count(uint64_t *c, uint64_t n)
{
	__atomic_fetch_add(c, n, __ATOMIC_RELAXED);
}

/* ---- one request ---- */

/* Drop front bytes from the start of iov[0..*n) and back from its end. */
static struct iovec *iov_trim(struct iovec *iov, unsigned int *n,
			      size_t front, size_t back)
{
	while (front && *n) {
		if (iov->iov_len <= front) {
			front -= iov->iov_len;
			iov++;
			(*n)--;
		} else {
			iov->iov_base = (uint8_t *)iov->iov_base + front;
			iov->iov_len -= front;
			front = 0;
		}
	}
	while (back && *n) {
		struct iovec *last = &iov[*n - 1];

		if (last->iov_len <= back) {
			back -= last->iov_len;
			(*n)--;
		} else {
			last->iov_len -= back;
			back = 0;
		}
	}
	return iov;
}

/* Copy up to len bytes out of iov[0..n): the number copied. */
static size_t iov_copy_out(const struct iovec *iov, unsigned int n,
			   void *buf, size_t len)
{
	size_t done = 0, k;
	unsigned int i;

	for (i = 0; i < n && done < len; i++) {
		k = iov[i].iov_len < len - done ? iov[i].iov_len : len - done;
		memcpy((uint8_t *)buf + done, iov[i].iov_base, k);
		done += k;
	}
	return done;
}

/*
 * All of len bytes at off, between the image and iov[0..n) (which this
 * advances): 0 or -errno (-EIO for a file that ended early).
 */
static int rw_all(int fd, struct iovec *iov, unsigned int n, off_t off,
		  size_t len, bool write)
{
	ssize_t r;

	while (len) {
		r = write ? pwritev(fd, iov, n, off) : preadv(fd, iov, n, off);
		if (r < 0 && errno == EINTR)
			continue;
		if (r < 0)
			return -errno;
		if (r == 0)
			return -EIO;
		len -= r;
		off += r;
		while (r && n) {
			if ((size_t)r >= iov->iov_len) {
				r -= iov->iov_len;
				iov++;
				n--;
			} else {
				iov->iov_base = (uint8_t *)iov->iov_base + r;
				iov->iov_len -= r;
				r = 0;
			}
		}
	}
	return 0;
}

/* Is [sector, sector + nr) on the disk? */
static bool in_range(const struct virtio_blk *blk, uint64_t sector,
		     uint64_t nr)
{
	return sector <= blk->sectors && nr <= blk->sectors - sector;
}

static uint8_t host_error(struct virtio_blk *blk, const char *what, int err)
{
	static unsigned int told;

	count(&blk->st.host_errors, 1);
	if (__atomic_fetch_add(&told, 1, __ATOMIC_RELAXED) < 10)
		pr_err("%s: %s of %s: %s (the guest gets IOERR)\n",
		       blk->dev->name, what, blk->vp.pci.name, strerror(-err));
	return VIRTIO_BLK_S_IOERR;
}

/* The guest asked for something the disk cannot do: IOERR, nothing done. */
static uint8_t guest_error(struct virtio_blk *blk)
{
	count(&blk->st.guest_errors, 1);
	return VIRTIO_BLK_S_IOERR;
}

/* Zeros written out, for a file system that has neither way to make them. */
static int write_zeros(int fd, off_t off, off_t len)
{
	static const uint8_t zeros[64 * 1024];
	ssize_t r;

	while (len) {
		r = pwrite(fd, zeros, len < (off_t)sizeof(zeros) ? len :
			   (off_t)sizeof(zeros), off);
		if (r < 0 && errno == EINTR)
			continue;
		if (r <= 0)
			return r < 0 ? -errno : -EIO;
		off += r;
		len -= r;
	}
	return 0;
}

/*
 * DISCARD and WRITE_ZEROES: len bytes of 16-byte ranges (5.2.6).  Discard
 * and write-zeroes with UNMAP punch a hole, which reads as zeros;
 * write-zeroes without it zeroes the range in place (FALLOC_FL_ZERO_RANGE)
 * where the file system can, else punches too.
 */
static uint8_t do_ranges(struct virtio_blk *blk, uint32_t type,
			 const struct iovec *iov, unsigned int n, size_t len)
{
	struct virtio_blk_discard_write_zeroes r[BLK_MAX_RANGES];
	bool discard = type == VIRTIO_BLK_T_DISCARD;
	unsigned int i, nr = len / sizeof(r[0]);
	uint32_t flags, sectors;
	uint64_t sector;
	int mode, err;

	if (blk->readonly || len % sizeof(r[0]) || !nr)
		return guest_error(blk);
	if (nr > BLK_MAX_RANGES)
		return VIRTIO_BLK_S_UNSUPP;
	iov_copy_out(iov, n, r, len);
	for (i = 0; i < nr; i++) {
		sector = le64toh(r[i].sector);
		sectors = le32toh(r[i].num_sectors);
		flags = le32toh(r[i].flags);
		/* 5.2.6.2: UNMAP on a discard, or unknown flags: UNSUPP. */
		if (flags & ~VIRTIO_BLK_WRITE_ZEROES_FLAG_UNMAP ||
		    (discard && flags))
			return VIRTIO_BLK_S_UNSUPP;
		if (sectors > BLK_MAX_RANGE_SECTORS ||
		    !in_range(blk, sector, sectors))
			return guest_error(blk);
	}
	for (i = 0; i < nr; i++) {
		off_t off = (off_t)le64toh(r[i].sector) << SECTOR_SHIFT;
		off_t bytes = (off_t)le32toh(r[i].num_sectors) << SECTOR_SHIFT;

		if (!bytes)
			continue;
		mode = FALLOC_FL_PUNCH_HOLE | FALLOC_FL_KEEP_SIZE;
		if (!discard && !(le32toh(r[i].flags) &
				  VIRTIO_BLK_WRITE_ZEROES_FLAG_UNMAP))
			mode = FALLOC_FL_ZERO_RANGE | FALLOC_FL_KEEP_SIZE;
		err = fallocate(blk->fd, mode, off, bytes) ? -errno : 0;
		/* A discard is a hint: a file system without holes ignores it. */
		if (err == -EOPNOTSUPP && discard)
			err = 0;
		/* Write-zeroes must read back as zeros (5.2.6): by any means. */
		if (err == -EOPNOTSUPP && mode & FALLOC_FL_PUNCH_HOLE)
			err = fallocate(blk->fd, FALLOC_FL_ZERO_RANGE |
					FALLOC_FL_KEEP_SIZE, off, bytes) ?
			      -errno : 0;
		if (err == -EOPNOTSUPP && mode & FALLOC_FL_ZERO_RANGE)
			err = fallocate(blk->fd, FALLOC_FL_PUNCH_HOLE |
					FALLOC_FL_KEEP_SIZE, off, bytes) ?
			      -errno : 0;
		if (err == -EOPNOTSUPP)
			err = write_zeros(blk->fd, off, bytes);
		if (err)
			return host_error(blk, discard ? "discard" :
					  "write-zeroes", err);
	}
	count(discard ? &blk->st.discards : &blk->st.write_zeroes, 1);
	return VIRTIO_BLK_S_OK;
}

/*
 * Carry out one request: the status byte written into the guest's last
 * buffer, req->written what the device wrote in all.
 */
static void blk_handle(struct virtio_blk *blk, struct blk_req *req)
{
	struct virtq_elem *e = &req->elem;
	struct virtio_blk_outhdr h;
	unsigned int nout = e->out, nin = e->in;
	struct iovec *data;
	uint8_t *status;
	uint64_t sector;
	size_t len;
	uint32_t type;
	uint8_t st;
	int err;

	req->written = 0;
	/* No room for the status: nothing can be said, nothing is done. */
	if (!nin || e->out_len < sizeof(h)) {
		count(&blk->st.guest_errors, 1);
		return;
	}
	status = (uint8_t *)e->iov[nout + nin - 1].iov_base +
		 e->iov[nout + nin - 1].iov_len - 1;
	iov_copy_out(e->iov, nout, &h, sizeof(h));
	type = le32toh(h.type);
	sector = le64toh(h.sector);
	req->written = 1;
	/* More buffers than seg_max offers, or more data than we take. */
	if (nout + nin > BLK_QUEUE_SIZE ||
	    e->in_len - 1 > BLK_MAX_REQUEST ||
	    e->out_len - sizeof(h) > BLK_MAX_REQUEST) {
		*status = guest_error(blk);
		return;
	}

	switch (type) {
	case VIRTIO_BLK_T_IN:
		len = e->in_len - 1;
		data = iov_trim(&e->iov[nout], &nin, 0, 1);
		if (len % SECTOR_SIZE ||
		    !in_range(blk, sector, len >> SECTOR_SHIFT)) {
			st = guest_error(blk);
			break;
		}
		err = rw_all(blk->fd, data, nin, sector << SECTOR_SHIFT, len,
			     false);
		if (err) {
			st = host_error(blk, "read", err);
			break;
		}
		count(&blk->st.reads, 1);
		count(&blk->st.bytes_read, len);
		req->written += len;
		st = VIRTIO_BLK_S_OK;
		break;
	case VIRTIO_BLK_T_OUT:
		len = e->out_len - sizeof(h);
		data = iov_trim(e->iov, &nout, sizeof(h), 0);
		if (blk->readonly || len % SECTOR_SIZE ||
		    !in_range(blk, sector, len >> SECTOR_SHIFT)) {
			st = guest_error(blk);
			break;
		}
		err = rw_all(blk->fd, data, nout, sector << SECTOR_SHIFT, len,
			     true);
		if (err) {
			st = host_error(blk, "write", err);
			break;
		}
		count(&blk->st.writes, 1);
		count(&blk->st.bytes_written, len);
		st = VIRTIO_BLK_S_OK;
		break;
	case VIRTIO_BLK_T_FLUSH:
		/* 5.2.6.2: what completed before is durable once this is. */
		if (!blk->readonly && fdatasync(blk->fd)) {
			st = host_error(blk, "fdatasync", -errno);
			break;
		}
		count(&blk->st.flushes, 1);
		st = VIRTIO_BLK_S_OK;
		break;
	case VIRTIO_BLK_T_GET_ID:
		len = e->in_len - 1;
		if (len > VIRTIO_BLK_ID_BYTES)
			len = VIRTIO_BLK_ID_BYTES;
		data = iov_trim(&e->iov[nout], &nin, 0, 1);
		for (size_t done = 0, k; done < len; data++) {
			k = data->iov_len < len - done ? data->iov_len :
							 len - done;
			memcpy(data->iov_base, blk->serial + done, k);
			done += k;
		}
		count(&blk->st.get_ids, 1);
		req->written += len;
		st = VIRTIO_BLK_S_OK;
		break;
	case VIRTIO_BLK_T_DISCARD:
	case VIRTIO_BLK_T_WRITE_ZEROES:
		len = e->out_len - sizeof(h);
		data = iov_trim(e->iov, &nout, sizeof(h), 0);
		st = do_ranges(blk, type, data, nout, len);
		break;
	default:
		count(&blk->st.unsupported, 1);
		st = VIRTIO_BLK_S_UNSUPP;
		break;
	}
	*status = st;
}

/* ---- the queues and the pool ---- */

/* Give a request back to the driver, or drop it after a reset: the lock. */
static void blk_complete(struct virtio_blk *blk, struct blk_req *req)
{
	struct virtq *vq = &blk->vp.q[req->q].vq;
	unsigned int q;

	if (req->gen == blk->gen && blk->paused) {
		req->next = blk->parked;
		blk->parked = req;
		return;
	}
	if (req->gen == blk->gen) {
		virtq_push(vq, req->elem.head, req->written);
		virtio_pci_queue_done(&blk->vp, req->q);
	}
	req->next = blk->free;
	blk->free = req;
	for (q = 0; q < blk->ops.nr_queues; q++) {
		if (blk->starved[q]) {
			blk->starved[q] = false;
			virtio_pci_kick(&blk->vp, q);
		}
	}
}

static void *blk_worker(void *arg)
{
	struct virtio_blk *blk = arg;
	struct blk_req *req;

	for (;;) {
		pthread_mutex_lock(&blk->pool_lock);
		while (!blk->stopping && (blk->paused || !blk->work))
			pthread_cond_wait(&blk->work_cv, &blk->pool_lock);
		if (blk->stopping) {
			pthread_mutex_unlock(&blk->pool_lock);
			return NULL;
		}
		req = blk->work;
		blk->work = req->next;
		if (!blk->work)
			blk->work_tail = &blk->work;
		blk->busy++;
		pthread_mutex_unlock(&blk->pool_lock);

		blk_handle(blk, req);

		pthread_mutex_lock(&blk->pool_lock);
		if (!--blk->busy)
			pthread_cond_broadcast(&blk->idle_cv);
		pthread_mutex_unlock(&blk->pool_lock);
		if (!virtio_pci_lock(&blk->vp))
			return NULL;	/* destroyed: the VM is going */
		blk_complete(blk, req);
		pthread_mutex_unlock(blk->vp.pci.lock);
	}
}

/*
 * The driver notified queue q (the device's lock held).  Without a pool:
 * every request at once, a queue's worth at most.  With one: as many as
 * there is room for go to the workers; the rest wait on the queue until a
 * request completes (starved).
 */
static void blk_notify(struct virtio_pci *vp, unsigned int q)
{
	struct virtio_blk *blk = vp->opaque;
	struct virtq *vq = &vp->q[q].vq;
	unsigned int left = vq->size;
	struct blk_req *req;
	int r = 0;

	if (!blk->pooled) {
		req = &blk->reqs[0];
		while (left-- && (r = virtq_pop(vq, &req->elem)) == 1) {
			blk_handle(blk, req);
			virtq_push(vq, req->elem.head, req->written);
		}
		if (r < 0)
			virtio_pci_needs_reset(vp, q);
		virtio_pci_queue_done(vp, q);
		return;
	}
	while ((req = blk->free)) {
		r = virtq_pop(vq, &req->elem);
		if (r != 1)
			break;
		blk->free = req->next;
		req->q = q;
		req->gen = blk->gen;
		req->next = NULL;
		pthread_mutex_lock(&blk->pool_lock);
		*blk->work_tail = req;
		blk->work_tail = &req->next;
		pthread_cond_signal(&blk->work_cv);
		pthread_mutex_unlock(&blk->pool_lock);
	}
	if (r < 0)
		virtio_pci_needs_reset(vp, q);
	else if (!req)
		blk->starved[q] = true;
}

/*
 * Nothing in flight from here on: requests not started are dropped, those
 * started are waited for (the device's lock held; the workers do not need
 * it to finish their I/O).
 */
static void blk_quiesce(struct virtio_blk *blk, bool drop)
{
	struct blk_req *req;

	if (!blk->pooled)
		return;
	pthread_mutex_lock(&blk->pool_lock);
	while (drop && (req = blk->work)) {
		blk->work = req->next;
		req->next = blk->free;
		blk->free = req;
	}
	if (drop)
		blk->work_tail = &blk->work;
	while (blk->busy)
		pthread_cond_wait(&blk->idle_cv, &blk->pool_lock);
	pthread_mutex_unlock(&blk->pool_lock);
}

/* The driver's reset (status 0) or the machine's: the device's lock held. */
static void blk_vp_reset(struct virtio_pci *vp)
{
	struct virtio_blk *blk = vp->opaque;
	struct blk_req *req;
	unsigned int q;

	blk_quiesce(blk, true);
	/* What completes from now on belongs to the queues before it. */
	blk->gen++;
	while ((req = blk->parked)) {
		blk->parked = req->next;
		req->next = blk->free;
		blk->free = req;
	}
	for (q = 0; q < BLK_MAX_QUEUES; q++)
		blk->starved[q] = false;
}

static void blk_config_read(struct virtio_pci *vp, uint32_t off, uint8_t *buf,
			    uint32_t len)
{
	struct virtio_blk *blk = vp->opaque;

	memcpy(buf, blk->config + off, len);
}

static const struct virtio_ops blk_ops = {
	.type = VIRTIO_ID_BLOCK,
	.class_code = 0x010000,		/* mass storage, SCSI: QEMU's */
	.queue_size = BLK_QUEUE_SIZE,
	.config_size = BLK_CONFIG_SIZE,
	.config_read = blk_config_read,
	.notify = blk_notify,
	.reset = blk_vp_reset,
};

/* ---- the device class ---- */

static void blk_pause(struct device *dev)
{
	struct virtio_blk *blk = dev->state;

	virtio_pci_pause(&blk->vp);
	if (!blk->pooled)
		return;
	pthread_mutex_lock(&blk->pool_lock);
	blk->paused = true;
	pthread_mutex_unlock(&blk->pool_lock);
	blk_quiesce(blk, false);
}

static void blk_resume(struct device *dev, uint64_t paused_ns)
{
	struct virtio_blk *blk = dev->state;
	struct blk_req *req;

	if (blk->pooled) {
		pthread_mutex_lock(&blk->pool_lock);
		blk->paused = false;
		pthread_cond_broadcast(&blk->work_cv);
		pthread_mutex_unlock(&blk->pool_lock);
		while ((req = blk->parked)) {
			blk->parked = req->next;
			blk_complete(blk, req);
		}
	}
	virtio_pci_resume(&blk->vp);
}

static void blk_stop_pool(struct virtio_blk *blk)
{
	unsigned int i;

	if (!blk->pooled)
		return;
	pthread_mutex_lock(&blk->pool_lock);
	blk->stopping = true;
	pthread_cond_broadcast(&blk->work_cv);
	pthread_mutex_unlock(&blk->pool_lock);
	for (i = 0; i < blk->nr_workers; i++)
		pthread_join(blk->workers[i], NULL);
	blk->nr_workers = 0;
}

static void blk_free(struct virtio_blk *blk)
{
	if (blk->pooled) {
		pthread_cond_destroy(&blk->work_cv);
		pthread_cond_destroy(&blk->idle_cv);
		pthread_mutex_destroy(&blk->pool_lock);
	}
	if (blk->fd >= 0)
		close(blk->fd);
	virtio_pci_free(&blk->vp);
	free(blk->reqs);
	free(blk);
}

static void blk_stop(struct device *dev)
{
	struct virtio_blk *blk = dev->state;

	virtio_pci_stop(&blk->vp);
	blk_stop_pool(blk);
}

static void blk_destroy(struct device *dev)
{
	struct virtio_blk *blk = dev->state;
	struct blk_stats *s = &blk->st;

	/*
	 * The threads first (the I/O thread, then the workers, which finish
	 * their I/O and complete nothing), then off the bus (its ioeventfds
	 * go while their eventfds are open), then the eventfds (blk_free()).
	 */
	virtio_pci_stop(&blk->vp);
	blk_stop_pool(blk);
	virtio_pci_unregister(&blk->vp);
	pr_info("%s: %llu reads (%llu bytes), %llu writes (%llu bytes), %llu flushes (fdatasync), %llu discards, %llu write-zeroes, %llu guest errors, %llu host errors\n",
		dev->name, (unsigned long long)s->reads,
		(unsigned long long)s->bytes_read,
		(unsigned long long)s->writes,
		(unsigned long long)s->bytes_written,
		(unsigned long long)s->flushes,
		(unsigned long long)s->discards,
		(unsigned long long)s->write_zeroes,
		(unsigned long long)s->guest_errors,
		(unsigned long long)s->host_errors);
	blk_free(blk);
}

/* Open and lock the image: 0, or -errno with the reason in why. */
static int blk_open(struct virtio_blk *blk, const char *path, char *why,
		    size_t why_len)
{
	struct stat sb;
	off_t size;
	int err;

	/* O_NONBLOCK: a FIFO must not hang the VM's start (refused below). */
	blk->fd = open(path, (blk->readonly ? O_RDONLY : O_RDWR) | O_CLOEXEC |
		       O_NONBLOCK);
	if (blk->fd < 0) {
		err = -errno;
		snprintf(why, why_len, "%s: %s", path, strerror(errno));
		return err;
	}
	if (fstat(blk->fd, &sb) || !(S_ISREG(sb.st_mode) ||
				     S_ISBLK(sb.st_mode))) {
		snprintf(why, why_len, "%s: not a file or a block device",
			 path);
		return -EINVAL;
	}
	if (fcntl(blk->fd, F_SETFL, 0)) {
		err = -errno;
		snprintf(why, why_len, "%s: %s", path, strerror(errno));
		return err;
	}
	if (flock(blk->fd, (blk->readonly ? LOCK_SH : LOCK_EX) | LOCK_NB)) {
		err = -errno;
		snprintf(why, why_len, "%s: %s", path, errno == EWOULDBLOCK ?
			 "in use: another process (a VM?) holds its lock" :
			 strerror(errno));
		return err;
	}
	size = lseek(blk->fd, 0, SEEK_END);
	if (size < (off_t)SECTOR_SIZE) {
		snprintf(why, why_len, "%s: %s", path, size < 0 ?
			 strerror(errno) : "smaller than one 512-byte sector");
		return size < 0 ? -errno : -EINVAL;
	}
	/* A last partial sector is not part of the disk, as in QEMU. */
	blk->sectors = size >> SECTOR_SHIFT;
	return 0;
}

static void blk_fill_config(struct virtio_blk *blk)
{
	uint8_t *c = blk->config;

#define PUT(field, bytes, v) \
	le_put(c + offsetof(struct virtio_blk_config, field), bytes, v)
	PUT(capacity, 8, blk->sectors);
	PUT(seg_max, 4, BLK_QUEUE_SIZE - 2);
	PUT(blk_size, 4, SECTOR_SIZE);
	PUT(num_queues, 2, blk->ops.nr_queues);
	PUT(max_discard_sectors, 4, BLK_MAX_RANGE_SECTORS);
	PUT(max_discard_seg, 4, BLK_MAX_RANGES);
	PUT(discard_sector_alignment, 4, 1);
	PUT(max_write_zeroes_sectors, 4, BLK_MAX_RANGE_SECTORS);
	PUT(max_write_zeroes_seg, 4, BLK_MAX_RANGES);
	PUT(write_zeroes_may_unmap, 1, 1);
#undef PUT
}

static int blk_start_pool(struct virtio_blk *blk)
{
	unsigned int i;

	if (pthread_mutex_init(&blk->pool_lock, NULL))
		return -ENOMEM;
	pthread_cond_init(&blk->work_cv, NULL);
	pthread_cond_init(&blk->idle_cv, NULL);
	blk->work_tail = &blk->work;
	blk->pooled = true;
	for (i = 0; i < BLK_REQS - 1; i++)
		blk->reqs[i].next = &blk->reqs[i + 1];
	blk->free = &blk->reqs[0];
	for (i = 0; i < BLK_WORKERS; i++) {
		if (pthread_create(&blk->workers[i], NULL, blk_worker, blk))
			return -EAGAIN;
		blk->nr_workers++;
	}
	return 0;
}

static const char *const blk_keys[] = {
	"path", "readonly", "serial", "queues", NULL
};

static int blk_create(struct device *dev, const struct dev_opts *opts,
		      char *why, size_t why_len)
{
	const char *path = dev_opt(opts, "path");
	const char *ro = dev_opt(opts, "readonly");
	const char *serial = dev_opt(opts, "serial");
	struct virtio_blk *blk;
	unsigned long long queues;
	size_t i;
	int err;

	if (!path || !*path) {
		snprintf(why, why_len, "path=FILE is needed: the disk image");
		return -EINVAL;
	}
	if (ro && strcmp(ro, "on") && strcmp(ro, "off")) {
		snprintf(why, why_len, "readonly=%s: on or off", ro);
		return -EINVAL;
	}
	if (serial && strlen(serial) > VIRTIO_BLK_ID_BYTES) {
		snprintf(why, why_len, "serial=%s: at most %d characters",
			 serial, VIRTIO_BLK_ID_BYTES);
		return -EINVAL;
	}
	for (i = 0; serial && serial[i]; i++) {
		if (serial[i] <= ' ' || serial[i] > '~') {
			snprintf(why, why_len,
				 "serial: printable ASCII without blanks only");
			return -EINVAL;
		}
	}
	err = dev_opt_uint(opts, "queues", 1, BLK_MAX_QUEUES, &queues, why,
			   why_len);
	if (err)
		return err;
	if (!queues) {
		snprintf(why, why_len, "queues=0: 1 to %d", BLK_MAX_QUEUES);
		return -EINVAL;
	}

	blk = calloc(1, sizeof(*blk));
	if (!blk)
		return -ENOMEM;
	blk->fd = -1;
	blk->dev = dev;
	blk->readonly = ro && !strcmp(ro, "on");
	if (serial)
		memcpy(blk->serial, serial, strlen(serial));
	blk->ops = blk_ops;
	blk->ops.nr_queues = queues;
	blk->ops.features = (1ULL << VIRTIO_BLK_F_SEG_MAX) |
			    (1ULL << VIRTIO_BLK_F_BLK_SIZE) |
			    (1ULL << VIRTIO_BLK_F_FLUSH) |
			    (1ULL << VIRTIO_BLK_F_DISCARD) |
			    (1ULL << VIRTIO_BLK_F_WRITE_ZEROES);
	if (blk->readonly)
		blk->ops.features |= 1ULL << VIRTIO_BLK_F_RO;
	if (queues > 1)
		blk->ops.features |= 1ULL << VIRTIO_BLK_F_MQ;
	blk->reqs = calloc(BLK_REQS, sizeof(*blk->reqs));
	err = blk->reqs ? blk_open(blk, path, why, why_len) : -ENOMEM;
	if (err)
		goto fail;
	blk_fill_config(blk);
	err = virtio_pci_init(&blk->vp, &blk->ops, blk);
	if (err) {
		snprintf(why, why_len, "virtio transport: %s", strerror(-err));
		goto fail;
	}
	/* vireo-vm: workers, then an I/O thread fed by kernel ioeventfds. */
	if (dev->m->ioeventfd) {
		err = blk_start_pool(blk);
		if (err) {
			snprintf(why, why_len, "its I/O workers: %s",
				 strerror(-err));
			goto fail;
		}
	}
	err = virtio_pci_register(&blk->vp, dev, why, why_len);
	if (err) {
		blk_stop_pool(blk);
		goto fail;
	}
	dev->state = blk;
	return 0;
fail:
	blk_free(blk);
	return err;
}

static const int blk_syscalls[] = {
	SCMP_SYS(preadv), SCMP_SYS(pwritev), SCMP_SYS(fdatasync),
	SCMP_SYS(fallocate), SCMP_SYS(pwrite64),
};

static const struct dev_class virtio_blk_class = {
	.name = "virtio-blk",
	.desc = "virtio disk (PCI 1af4:1042) on a raw image; --disk adds one",
	.level = DEV_INIT_DEV,
	.max_instances = 16,
	.keys = blk_keys,
	.keys_help = "path=FILE,readonly=on|off,serial=S,queues=N",
	.create = blk_create,
	.reset = virtio_pci_dev_reset,
	.pause = blk_pause,
	.resume = blk_resume,
	.stop = blk_stop,
	.destroy = blk_destroy,
	.syscalls = blk_syscalls,
	.nr_syscalls = ARRAY_SIZE(blk_syscalls),
};
DEVICE_CLASS(virtio_blk_class);
