// SPDX-License-Identifier: GPL-2.0
/*
 * libFuzzer target: the split virtqueue walker (virtio/virtqueue.c), the
 * part of every virtio device that reads what a guest wrote.
 *
 * The input is guest RAM: two regions of 32 KiB (GPA 0 and 0x10000, a
 * hole between them at 0x8000, so buffers can run off a region), filled
 * from the input, with the first bytes choosing the queue's size,
 * features and ring addresses, and most of the time an avail index no
 * larger than the queue.  The device then takes requests until the
 * queue is empty or broken, giving each back, and every buffer it was
 * handed must lie inside one region (AddressSanitizer watches the rest:
 * each region is its own allocation, so a read past one is caught).
 */
#include <assert.h>
#include <errno.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "guest_mem.h"
#include "virtio/virtqueue.h"

#define REGION		0x8000
#define GPA_HIGH	0x10000

static struct virtq_elem elem;
uint8_t sink;			/* what the device read, kept */

static bool inside(const uint8_t *p, size_t len, const uint8_t *base)
{
	return p >= base && len <= REGION && p - base <= REGION - (long)len;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	uint8_t *lo = calloc(1, REGION), *hi = calloc(1, REGION);
	struct guest_mem gm = { .nr = 2 };
	struct virtq q = { 0 };
	unsigned int i, rounds = 0;
	uint16_t cfg[4] = { 0 };
	size_t n;
	int r;

	gm.r[0] = (struct guest_mem_region) {
		.gpa = 0, .size = REGION, .hva = lo, .writable = true,
	};
	gm.r[1] = (struct guest_mem_region) {
		.gpa = GPA_HIGH, .size = REGION, .hva = hi, .writable = true,
	};
	n = size < sizeof(cfg) ? size : sizeof(cfg);
	memcpy(cfg, data, n);
	data += n;
	size -= n;
	n = size < REGION ? size : REGION;
	memcpy(lo, data, n);
	data += n;
	size -= n;
	memcpy(hi, data, size < REGION ? size : REGION);

	q.size = 1u << (cfg[0] & 7);		/* 1 to 128 */
	q.indirect = cfg[0] & 0x100;
	q.event_idx = cfg[0] & 0x200;
	q.desc_gpa = (cfg[1] & 0x7fff) << 4 & 0x1ffff;
	q.avail_gpa = (cfg[2] & 0xffff) << 1 & 0x1ffff;
	q.used_gpa = (cfg[3] & 0xffff) << 2 & 0x1ffff;
	if (virtq_enable(&q, &gm))
		goto out;
	/*
	 * Mostly a believable avail index, so that the walker, not the
	 * index check, sees most inputs.
	 */
	if (!(cfg[0] & 0x400))
		q.avail->idx = (cfg[0] >> 11) % (q.size + 1);
	while (rounds++ < 512) {
		r = virtq_pop(&q, &elem);
		assert(r == 1 || r == 0 || r == -EIO);
		if (r != 1)
			break;
		assert(elem.out + elem.in <= VIRTQ_MAX_SEGS);
		assert(elem.head < q.size);
		for (i = 0; i < elem.out + elem.in; i++) {
			const uint8_t *p = elem.iov[i].iov_base;
			size_t len = elem.iov[i].iov_len;

			assert(len);
			assert(inside(p, len, lo) || inside(p, len, hi));
			/* Touch it as a device would. */
			if (i >= elem.out)
				memset((void *)p, 0xa5, len);
			else
				sink += p[0] + p[len - 1];
		}
		virtq_push(&q, elem.head, (uint32_t)elem.in_len);
		(void)virtq_should_notify(&q);
		virtq_set_notify(&q, rounds & 1);
	}
out:
	free(lo);
	free(hi);
	return 0;
}
