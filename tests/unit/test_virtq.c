// SPDX-License-Identifier: GPL-2.0
/*
 * The split virtqueue (virtio/virtqueue.c) on the ROM boot's memory map,
 * playing the driver by hand: requests come out as host pointers into
 * guest RAM, with readable and writable parts apart; indirect tables,
 * used-ring updates, both ways of suppressing interrupts and
 * notifications, and index wrap-around work; and every malformed ring
 * (out of RAM, a loop, zero length, an absurd chain, an index jump, a
 * head or next out of range, bad indirect tables, readable after
 * writable) breaks the queue, which then stays broken until reset,
 * without touching memory outside guest RAM.
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "guest_mem.h"
#include "memmap.h"
#include "virtio/virtqueue.h"
#include "tap.h"

#define MiB		(1024 * 1024ULL)
#define ROM_SIZE	0x10000ULL
#define QSIZE		8
#define DESC_GPA	0x1000
#define AVAIL_GPA	0x2000
#define USED_GPA	0x3000
#define TABLE_GPA	0x4000
#define BUF_GPA		0x10000

static uint8_t ram[2 * MiB], rom[ROM_SIZE];
static struct guest_mem gm;
static uint64_t rom_gpa;
static struct virtq_elem elem;

static struct vring_desc *desc(unsigned int i)
{
	return (struct vring_desc *)(ram + DESC_GPA) + i;
}

static struct vring_desc *table(unsigned int i)
{
	return (struct vring_desc *)(ram + TABLE_GPA) + i;
}

static struct vring_avail *avail(void)
{
	return (struct vring_avail *)(ram + AVAIL_GPA);
}

static struct vring_used *used(void)
{
	return (struct vring_used *)(ram + USED_GPA);
}

static void set_desc(struct vring_desc *d, uint64_t addr, uint32_t len,
		     uint16_t flags, uint16_t next)
{
	d->addr = addr;
	d->len = len;
	d->flags = flags;
	d->next = next;
}

/* The driver makes head available (2.6.6). */
static void offer(uint16_t head)
{
	avail()->ring[avail()->idx % QSIZE] = head;
	avail()->idx++;
}

/* A fresh queue over zeroed rings, with the given features. */
static void fresh(struct virtq *q, bool indirect, bool event_idx)
{
	memset(ram, 0, 0x20000);
	virtq_reset(q);
	q->size = QSIZE;
	q->desc_gpa = DESC_GPA;
	q->avail_gpa = AVAIL_GPA;
	q->used_gpa = USED_GPA;
	q->indirect = indirect;
	q->event_idx = event_idx;
	if (virtq_enable(q, &gm))
		diag("virtq_enable failed: %s", q->why);
}

/* Set up a broken chain with @setup, and check the queue refuses it. */
static void expect_broken(const char *what, bool indirect,
			  void (*setup)(void), const char *why)
{
	struct virtq q;
	int r;

	fresh(&q, indirect, false);
	setup();
	r = virtq_pop(&q, &elem);
	ok(r == -EIO && q.broken && q.why && !strcmp(q.why, why),
	   "%s: the queue breaks (%s)", what, q.why ? q.why : "not broken");
	ok(virtq_pop(&q, &elem) == -EIO, "%s: and stays broken", what);
	virtq_push(&q, 0, 4);
	ok(used()->idx == 0, "%s: nothing is written to a broken queue", what);
}

static void setup_out_of_ram(void)
{
	set_desc(desc(0), 3 * MiB, 16, 0, 0);
	offer(0);
}

static void setup_straddles_hole(void)
{
	set_desc(desc(0), 0x9f000, 0x2000, 0, 0);
	offer(0);
}

static void setup_write_to_rom(void)
{
	set_desc(desc(0), rom_gpa, 16, VRING_DESC_F_WRITE, 0);
	offer(0);
}

static void setup_loop(void)
{
	set_desc(desc(0), BUF_GPA, 16, VRING_DESC_F_NEXT, 1);
	set_desc(desc(1), BUF_GPA, 16, VRING_DESC_F_NEXT, 2);
	set_desc(desc(2), BUF_GPA, 16, VRING_DESC_F_NEXT, 0);
	offer(0);
}

static void setup_self_loop(void)
{
	set_desc(desc(3), BUF_GPA, 16, VRING_DESC_F_NEXT, 3);
	offer(3);
}

static void setup_zero_len(void)
{
	set_desc(desc(0), BUF_GPA, 16, VRING_DESC_F_NEXT, 1);
	set_desc(desc(1), BUF_GPA, 0, 0, 0);
	offer(0);
}

static void setup_index_jump(void)
{
	set_desc(desc(0), BUF_GPA, 16, 0, 0);
	avail()->idx = QSIZE + 1;
}

static void setup_head_range(void)
{
	avail()->ring[0] = QSIZE;
	avail()->idx = 1;
}

static void setup_next_range(void)
{
	set_desc(desc(0), BUF_GPA, 16, VRING_DESC_F_NEXT, QSIZE);
	offer(0);
}

static void setup_read_after_write(void)
{
	set_desc(desc(0), BUF_GPA, 16, VRING_DESC_F_WRITE | VRING_DESC_F_NEXT, 1);
	set_desc(desc(1), BUF_GPA, 16, 0, 0);
	offer(0);
}

static void setup_indirect(uint32_t len, uint16_t flags, uint64_t addr)
{
	set_desc(desc(0), addr, len, VRING_DESC_F_INDIRECT | flags, 1);
	set_desc(desc(1), BUF_GPA, 16, 0, 0);
	set_desc(table(0), BUF_GPA, 16, 0, 0);
	offer(0);
}

static void setup_indirect_ok(void)
{
	setup_indirect(16, 0, TABLE_GPA);
}

static void setup_indirect_next(void)
{
	setup_indirect(16, VRING_DESC_F_NEXT, TABLE_GPA);
}

static void setup_indirect_size(void)
{
	setup_indirect(24, 0, TABLE_GPA);
}

static void setup_indirect_huge(void)
{
	setup_indirect(16 * (VIRTQ_MAX_SEGS + 1), 0, TABLE_GPA);
}

static void setup_indirect_outside(void)
{
	setup_indirect(16, 0, 0x9fff8);
}

static void setup_indirect_nested(void)
{
	setup_indirect(32, 0, TABLE_GPA);
	set_desc(table(0), BUF_GPA, 16, VRING_DESC_F_NEXT, 1);
	set_desc(table(1), TABLE_GPA, 16, VRING_DESC_F_INDIRECT, 0);
}

static void setup_indirect_mid_chain(void)
{
	set_desc(desc(0), BUF_GPA, 16, VRING_DESC_F_NEXT, 1);
	set_desc(desc(1), TABLE_GPA, 16, VRING_DESC_F_INDIRECT, 0);
	set_desc(table(0), BUF_GPA, 16, 0, 0);
	offer(0);
}

static void setup_indirect_loop(void)
{
	setup_indirect(48, 0, TABLE_GPA);
	set_desc(table(0), BUF_GPA, 16, VRING_DESC_F_NEXT, 1);
	set_desc(table(1), BUF_GPA, 16, VRING_DESC_F_NEXT, 2);
	set_desc(table(2), BUF_GPA, 16, VRING_DESC_F_NEXT, 1);
}

static void setup_indirect_next_range(void)
{
	setup_indirect(32, 0, TABLE_GPA);
	set_desc(table(0), BUF_GPA, 16, VRING_DESC_F_NEXT, 2);
}

/* The longest chain the device takes, as an indirect table. */
static void test_max_segs(void)
{
	struct virtq q;
	unsigned int i;
	int r;

	/* A full-size indirect table of VIRTQ_MAX_SEGS buffers is taken. */
	fresh(&q, true, false);
	set_desc(desc(0), 0x40000, 16 * VIRTQ_MAX_SEGS, VRING_DESC_F_INDIRECT, 0);
	for (i = 0; i < VIRTQ_MAX_SEGS; i++)
		set_desc((struct vring_desc *)(ram + 0x40000) + i, BUF_GPA + i,
			 1, i + 1 < VIRTQ_MAX_SEGS ? VRING_DESC_F_NEXT : 0,
			 i + 1);
	offer(0);
	r = virtq_pop(&q, &elem);
	ok(r == 1 && elem.out == VIRTQ_MAX_SEGS && elem.out_len == VIRTQ_MAX_SEGS,
	   "an indirect table of %u buffers is one request", VIRTQ_MAX_SEGS);
}

static void test_request(void)
{
	struct virtq q;
	int r;

	fresh(&q, false, false);
	ok(q.ready && !q.broken, "the rings map");
	is_int(virtq_pop(&q, &elem), 0, "no request before the driver offers one");
	ok(!virtq_has_work(&q), "no work");

	/* A block request's shape: header, data out, status in. */
	set_desc(desc(5), BUF_GPA, 16, VRING_DESC_F_NEXT, 2);
	set_desc(desc(2), BUF_GPA + 0x1000, 512, VRING_DESC_F_NEXT, 7);
	set_desc(desc(7), BUF_GPA + 0x2000, 1, VRING_DESC_F_WRITE, 0);
	offer(5);
	ok(virtq_has_work(&q), "work once offered");
	r = virtq_pop(&q, &elem);
	is_int(r, 1, "a request");
	is_int(elem.head, 5, "its head");
	ok(elem.out == 2 && elem.in == 1, "two readable buffers, one writable");
	ok(elem.out_len == 528 && elem.in_len == 1, "their lengths");
	ok(elem.iov[0].iov_base == ram + BUF_GPA &&
	   elem.iov[1].iov_base == ram + BUF_GPA + 0x1000 &&
	   elem.iov[2].iov_base == ram + BUF_GPA + 0x2000 &&
	   elem.iov[1].iov_len == 512,
	   "host pointers into guest RAM, in chain order");
	is_int(virtq_pop(&q, &elem), 0, "nothing more");

	virtq_push(&q, 5, 1);
	ok(used()->idx == 1 && used()->ring[0].id == 5 &&
	   used()->ring[0].len == 1, "the used ring says head 5, 1 byte");
	ok(virtq_should_notify(&q), "the driver wants an interrupt");
	avail()->flags = VRING_AVAIL_F_NO_INTERRUPT;
	virtq_push(&q, 5, 0);
	ok(!virtq_should_notify(&q), "...unless it said VRING_AVAIL_F_NO_INTERRUPT");

	virtq_set_notify(&q, false);
	ok(used()->flags & VRING_USED_F_NO_NOTIFY, "notifications off: NO_NOTIFY");
	virtq_set_notify(&q, true);
	ok(!(used()->flags & VRING_USED_F_NO_NOTIFY), "and on again");
}

static void test_event_idx(void)
{
	uint16_t *used_event, *avail_event;
	struct virtq q;
	int i;

	fresh(&q, false, true);
	used_event = &avail()->ring[QSIZE];
	avail_event = (uint16_t *)&used()->ring[QSIZE];
	set_desc(desc(0), BUF_GPA, 16, 0, 0);
	for (i = 0; i < 3; i++)
		offer(0);
	for (i = 0; i < 3; i++)
		virtq_pop(&q, &elem);
	is_int(*avail_event, 3, "avail_event follows what the device took");

	*used_event = 0;
	virtq_push(&q, 0, 0);
	ok(virtq_should_notify(&q), "the first interrupt always goes");
	*used_event = 5;		/* "interrupt me after entry 5" */
	virtq_push(&q, 0, 0);
	ok(!virtq_should_notify(&q), "used_event 5, used index 2: no interrupt");
	virtq_push(&q, 0, 0);
	ok(!virtq_should_notify(&q), "...3: none");
	*used_event = 3;
	for (i = 0; i < 1; i++)
		virtq_push(&q, 0, 0);
	ok(virtq_should_notify(&q), "used_event 3, used index 4: interrupt");
	ok(!virtq_should_notify(&q), "nothing new since: none");
}

/* 65536 requests through a queue of 8: the free-running indexes wrap. */
static void test_wrap(void)
{
	struct virtq q;
	unsigned int i, good = 0;

	fresh(&q, false, false);
	set_desc(desc(0), BUF_GPA, 16, VRING_DESC_F_WRITE, 0);
	for (i = 0; i < 70000; i++) {
		offer(0);
		if (virtq_pop(&q, &elem) == 1 && elem.in == 1)
			good++;
		virtq_push(&q, 0, 16);
	}
	is_int(good, 70000, "70000 requests, every one taken");
	is_int(used()->idx, (uint16_t)70000, "the used index wrapped with them");
}

static void test_enable(void)
{
	struct virtq q;

	fresh(&q, false, false);
	q.size = 6;
	is_int(virtq_enable(&q, &gm), -EINVAL, "a size of 6: refused");
	fresh(&q, false, false);
	q.size = 2 * VIRTQ_MAX_SIZE;
	is_int(virtq_enable(&q, &gm), -EINVAL, "a size past the maximum: refused");
	fresh(&q, false, false);
	q.desc_gpa = DESC_GPA + 8;
	is_int(virtq_enable(&q, &gm), -EFAULT, "a misaligned descriptor table: refused");
	fresh(&q, false, false);
	q.used_gpa = 2 * MiB - 16;
	is_int(virtq_enable(&q, &gm), -EFAULT, "a used ring past the end of RAM: refused");
	ok(q.broken && virtq_pop(&q, &elem) == -EIO, "...and the queue is broken");
	fresh(&q, false, false);
	q.used_gpa = rom_gpa;
	is_int(virtq_enable(&q, &gm), -EFAULT, "a used ring in ROM: refused");
	virtq_reset(&q);
	ok(!q.broken && !q.ready && virtq_pop(&q, &elem) == 0,
	   "a reset queue is neither broken nor ready");
}

int main(void)
{
	struct memmap_region r[MEMMAP_MAX_REGIONS];
	unsigned int n = memmap_build(sizeof(ram), ROM_SIZE, r), i;

	guest_mem_init(&gm, r, n, ram, rom);
	for (i = 0; i < n; i++)
		if (r[i].kind != MEMMAP_RAM)
			rom_gpa = r[i].gpa;
	ok(rom_gpa != 0, "the map has a ROM");

	test_enable();
	test_request();
	test_event_idx();
	test_wrap();
	test_max_segs();

	expect_broken("a buffer past the end of RAM", false, setup_out_of_ram,
		      "a buffer outside guest RAM");
	expect_broken("a buffer running into the VGA hole", false,
		      setup_straddles_hole, "a buffer outside guest RAM");
	expect_broken("a writable buffer in ROM", false, setup_write_to_rom,
		      "a buffer outside guest RAM");
	expect_broken("a chain 0 -> 1 -> 2 -> 0", false, setup_loop,
		      "a descriptor chain that loops");
	expect_broken("a descriptor that names itself", false, setup_self_loop,
		      "a descriptor chain that loops");
	expect_broken("a zero-length buffer", false, setup_zero_len,
		      "a zero-length buffer");
	expect_broken("an avail index 9 ahead on a queue of 8", false,
		      setup_index_jump,
		      "an avail index that jumped past the queue size");
	expect_broken("a head of 8 on a queue of 8", false, setup_head_range,
		      "a head outside the descriptor table");
	expect_broken("a next of 8 on a queue of 8", false, setup_next_range,
		      "a next index outside the table");
	expect_broken("a readable buffer after a writable one", false,
		      setup_read_after_write,
		      "a readable buffer after a writable one");
	expect_broken("an indirect table without the feature", false,
		      setup_indirect_ok,
		      "an indirect descriptor without the feature");
	expect_broken("an indirect descriptor with NEXT", true,
		      setup_indirect_next, "an indirect descriptor with NEXT");
	expect_broken("an indirect table of 24 bytes", true,
		      setup_indirect_size, "an indirect table of a bad size");
	expect_broken("an indirect table of VIRTQ_MAX_SEGS + 1 entries", true,
		      setup_indirect_huge, "an indirect table of a bad size");
	expect_broken("an indirect table across the VGA hole", true,
		      setup_indirect_outside,
		      "an indirect table outside guest RAM");
	expect_broken("an indirect table in an indirect table", true,
		      setup_indirect_nested,
		      "an indirect descriptor inside a chain");
	expect_broken("an indirect descriptor after a buffer", true,
		      setup_indirect_mid_chain,
		      "an indirect descriptor inside a chain");
	expect_broken("a loop inside an indirect table", true,
		      setup_indirect_loop, "a descriptor chain that loops");
	expect_broken("a next past an indirect table's end", true,
		      setup_indirect_next_range, "a next index outside the table");

	/* A good indirect request, for contrast. */
	{
		struct virtq q;

		fresh(&q, true, false);
		setup_indirect(32, 0, TABLE_GPA);
		set_desc(table(0), BUF_GPA, 16, VRING_DESC_F_NEXT, 1);
		set_desc(table(1), BUF_GPA + 0x100, 64, VRING_DESC_F_WRITE, 0);
		ok(virtq_pop(&q, &elem) == 1 && elem.out == 1 && elem.in == 1 &&
		   elem.in_len == 64 && elem.iov[1].iov_base == ram + BUF_GPA + 0x100,
		   "an indirect table of two buffers: one request");
	}
	return tap_done();
}
