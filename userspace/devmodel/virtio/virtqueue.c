// SPDX-License-Identifier: GPL-2.0
/*
 * Split virtqueues, the device's side: virtqueue.h says what is checked
 * and why.  Section numbers are VIRTIO 1.1's.
 */
#include <errno.h>
#include <string.h>

#include "virtqueue.h"

/* Ring fields the guest writes concurrently: one access each. */
static uint16_t ring_load16(const void *p)
{
	return __atomic_load_n((const uint16_t *)p, __ATOMIC_RELAXED);
}

static void ring_store16(void *p, uint16_t v)
{
	__atomic_store_n((uint16_t *)p, v, __ATOMIC_RELAXED);
}

static void ring_store32(void *p, uint32_t v)
{
	__atomic_store_n((uint32_t *)p, v, __ATOMIC_RELAXED);
}

static int virtq_broke(struct virtq *q, const char *why)
{
	if (!q->broken) {
		q->broken = true;
		q->why = why;
	}
	return -EIO;
}

void virtq_reset(struct virtq *q)
{
	struct virtq blank = { 0 };

	*q = blank;
}

int virtq_enable(struct virtq *q, const struct guest_mem *gm)
{
	uint64_t n = q->size;

	q->gm = gm;
	q->ready = false;
	if (!n || n > VIRTQ_MAX_SIZE || (n & (n - 1))) {
		virtq_broke(q, "a queue size that is not a power of 2 up to the maximum");
		return -EINVAL;
	}
	/* 2.6 "Virtqueues": the parts' alignment and sizes. */
	if (q->desc_gpa % 16 || q->avail_gpa % 2 || q->used_gpa % 4) {
		virtq_broke(q, "a misaligned ring");
		return -EFAULT;
	}
	q->desc = guest_mem_ptr(gm, q->desc_gpa, 16 * n, false);
	q->avail = guest_mem_ptr(gm, q->avail_gpa, 6 + 2 * n, false);
	q->used = guest_mem_ptr(gm, q->used_gpa, 6 + 8 * n, true);
	if (!q->desc || !q->avail || !q->used) {
		virtq_broke(q, "a ring outside guest RAM");
		return -EFAULT;
	}
	q->last_avail = 0;
	q->used_idx = 0;
	q->signalled_valid = false;
	q->ready = true;
	return 0;
}

/* The avail ring's used_event and the used ring's avail_event (2.6.7). */
static uint16_t *used_event(struct virtq *q)
{
	return &q->avail->ring[q->size];
}

static uint16_t *avail_event(struct virtq *q)
{
	return (uint16_t *)&q->used->ring[q->size];
}

/*
 * One chain, from its head in the descriptor table, into e (2.6.5).  An
 * indirect table (2.6.5.3) may only be the head: Linux puts it nowhere
 * else, and a chain then has exactly one table to walk.
 */
static int virtq_walk(struct virtq *q, uint16_t head, struct virtq_elem *e)
{
	/* Bytes: an indirect table need not be aligned. */
	const uint8_t *table = (const uint8_t *)q->desc;
	unsigned int max = q->size, i = head, seen = 0, n;
	bool indirect = false;
	struct vring_desc d;
	void *p;

	e->head = head;
	e->out = e->in = 0;
	e->out_len = e->in_len = 0;
	for (;;) {
		/* Read once: the guest may be changing it meanwhile. */
		memcpy(&d, table + (size_t)i * sizeof(d), sizeof(d));
		if (d.flags & VRING_DESC_F_INDIRECT) {
			if (!q->indirect)
				return virtq_broke(q, "an indirect descriptor without the feature");
			if (indirect || seen)
				return virtq_broke(q, "an indirect descriptor inside a chain");
			if (d.flags & VRING_DESC_F_NEXT)
				return virtq_broke(q, "an indirect descriptor with NEXT");
			if (!d.len || d.len % sizeof(d) ||
			    d.len / sizeof(d) > VIRTQ_MAX_SEGS)
				return virtq_broke(q, "an indirect table of a bad size");
			table = guest_mem_ptr(q->gm, d.addr, d.len, false);
			if (!table)
				return virtq_broke(q, "an indirect table outside guest RAM");
			max = d.len / sizeof(d);
			indirect = true;
			i = 0;
			continue;
		}
		if (!d.len)
			return virtq_broke(q, "a zero-length buffer");
		n = e->out + e->in;
		if (n >= VIRTQ_MAX_SEGS)
			return virtq_broke(q, "a chain of more buffers than the device takes");
		if (d.flags & VRING_DESC_F_WRITE) {
			p = guest_mem_ptr(q->gm, d.addr, d.len, true);
			e->in++;
			e->in_len += d.len;
		} else {
			/* 2.6.4.2: the readable buffers come first. */
			if (e->in)
				return virtq_broke(q, "a readable buffer after a writable one");
			p = guest_mem_ptr(q->gm, d.addr, d.len, false);
			e->out++;
			e->out_len += d.len;
		}
		if (!p)
			return virtq_broke(q, "a buffer outside guest RAM");
		e->iov[n].iov_base = p;
		e->iov[n].iov_len = d.len;
		if (!(d.flags & VRING_DESC_F_NEXT))
			return 0;
		/* More links than the table has entries: a loop. */
		if (++seen >= max)
			return virtq_broke(q, "a descriptor chain that loops");
		if (d.next >= max)
			return virtq_broke(q, "a next index outside the table");
		i = d.next;
	}
}

int virtq_pop(struct virtq *q, struct virtq_elem *e)
{
	uint16_t avail_idx, head;
	int r;

	if (q->broken)
		return -EIO;
	if (!q->ready)
		return 0;
	/* The entries below are read after the index (2.6.13.3). */
	avail_idx = __atomic_load_n(&q->avail->idx, __ATOMIC_ACQUIRE);
	if (avail_idx == q->last_avail && q->event_idx) {
		/*
		 * Empty: the driver notifies once its index passes our
		 * avail_event (stored by the last pop), which it reads after
		 * publishing the index.  Ours was stored before this load:
		 * a full fence, then a second look, or both sides may miss
		 * each other's write (vhost's vhost_enable_notify() does the
		 * same).
		 */
		ring_store16(avail_event(q), q->last_avail);
		__atomic_thread_fence(__ATOMIC_SEQ_CST);
		avail_idx = __atomic_load_n(&q->avail->idx, __ATOMIC_ACQUIRE);
	}
	if ((uint16_t)(avail_idx - q->last_avail) > q->size)
		return virtq_broke(q, "an avail index that jumped past the queue size");
	if (avail_idx == q->last_avail)
		return 0;
	head = ring_load16(&q->avail->ring[q->last_avail & (q->size - 1)]);
	if (head >= q->size)
		return virtq_broke(q, "a head outside the descriptor table");
	r = virtq_walk(q, head, e);
	if (r)
		return r;
	q->last_avail++;
	/* 2.6.10.1: tell the driver how far the device has read. */
	if (q->event_idx)
		ring_store16(avail_event(q), q->last_avail);
	return 1;
}

void virtq_push(struct virtq *q, uint16_t head, uint32_t written)
{
	struct vring_used_elem *u;

	if (q->broken || !q->ready)
		return;
	u = &q->used->ring[q->used_idx & (q->size - 1)];
	ring_store32(&u->id, head);
	ring_store32(&u->len, written);
	q->used_idx++;
	/* The entry before the index that publishes it (2.6.8.2). */
	__atomic_store_n(&q->used->idx, q->used_idx, __ATOMIC_RELEASE);
}

void virtq_push_n(struct virtq *q, const struct vring_used_elem *e,
		  unsigned int n)
{
	struct vring_used_elem *u;
	unsigned int i;

	if (q->broken || !q->ready || !n)
		return;
	for (i = 0; i < n; i++) {
		u = &q->used->ring[(uint16_t)(q->used_idx + i) & (q->size - 1)];
		ring_store32(&u->id, e[i].id);
		ring_store32(&u->len, e[i].len);
	}
	q->used_idx += n;
	/* All the entries before the index that publishes them (2.6.8.2). */
	__atomic_store_n(&q->used->idx, q->used_idx, __ATOMIC_RELEASE);
}

void virtq_unpop(struct virtq *q, unsigned int n)
{
	/*
	 * avail_event stays: lowering it behind buffers the driver has
	 * published already would mean no notification for the next ones
	 * (the driver notifies only when it crosses avail_event).
	 */
	if (q->broken || !q->ready)
		return;
	q->last_avail -= n;
}

bool virtq_notify_on_more(struct virtq *q)
{
	uint16_t seen;

	if (q->broken || !q->ready)
		return false;
	seen = __atomic_load_n(&q->avail->idx, __ATOMIC_ACQUIRE);
	if (q->event_idx)
		ring_store16(avail_event(q), seen);
	else
		ring_store16(&q->used->flags, 0);
	/* As in virtq_pop(): our write, then a second look at theirs. */
	__atomic_thread_fence(__ATOMIC_SEQ_CST);
	return __atomic_load_n(&q->avail->idx, __ATOMIC_ACQUIRE) != seen;
}

bool virtq_should_notify(struct virtq *q)
{
	uint16_t old = q->signalled_used, new = q->used_idx;
	bool valid = q->signalled_valid;

	if (q->broken || !q->ready)
		return false;
	/* The used index is out before the driver's wish is read. */
	__atomic_thread_fence(__ATOMIC_SEQ_CST);
	if (!q->event_idx)
		return !(ring_load16(&q->avail->flags) &
			 VRING_AVAIL_F_NO_INTERRUPT);
	q->signalled_used = new;
	q->signalled_valid = true;
	return !valid || vring_need_event(ring_load16(used_event(q)), new, old);
}

void virtq_set_notify(struct virtq *q, bool enable)
{
	uint16_t flags;

	if (q->broken || !q->ready)
		return;
	if (q->event_idx) {
		if (enable)
			ring_store16(avail_event(q), q->last_avail);
	} else {
		flags = ring_load16(&q->used->flags);
		if (enable)
			flags &= ~VRING_USED_F_NO_NOTIFY;
		else
			flags |= VRING_USED_F_NO_NOTIFY;
		ring_store16(&q->used->flags, flags);
	}
	/* The wish is out before the device looks at the index again. */
	__atomic_thread_fence(__ATOMIC_SEQ_CST);
}

bool virtq_has_work(struct virtq *q)
{
	if (q->broken || !q->ready)
		return false;
	return __atomic_load_n(&q->avail->idx, __ATOMIC_ACQUIRE) !=
	       q->last_avail;
}
