// SPDX-License-Identifier: GPL-2.0
/*
 * virtio-blk with its threads, as in vireo-vm (virtio/virtio_blk.c's
 * pool): machine->ioeventfd is a stub, so the transport starts its I/O
 * thread and the disk its four workers, and a notify written to BAR 4
 * reaches them through the queue's eventfd.  Checked, with the guest's
 * requests in flight on other threads:
 *
 *   - 256 requests on a 256-entry queue, twice the 128 the disk takes at
 *     once, all complete (the rest wait on the queue and are taken when
 *     slots come free), round after round;
 *   - a reset (status 0) while requests are in flight: nothing is written
 *     into the used ring after it, checked once every thread has ended;
 *   - a pause: the used ring does not move until the resume, and then
 *     every request completes; a machine reset during the pause drops
 *     what was kept for the resume.
 *
 * Waits are bounded (30 s) and only for what must happen; no time limit
 * is asserted.  (First written by a reviewer as a stress harness.)
 */
#include <errno.h>
#include <fcntl.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>
#include <linux/pci_regs.h>
#include <linux/virtio_blk.h>
#include <linux/virtio_config.h>
#include <linux/virtio_ring.h>
#define VIRTIO_PCI_NO_LEGACY
#include <linux/virtio_pci.h>

#include "devices.h"
#include "fake_platform.h"
#include "guest_mem.h"
#include "machine.h"
#include "pci/pci.h"
#include "virtio/virtio_pci.h"
#include "tap.h"

#define RAM_SIZE	(16u << 20)
#define BAR		0xe0000000u
#define DESC		0x10000u
#define AVAIL		0x14000u
#define USED		0x18000u
#define IND		0x20000u	/* indirect tables, 48 bytes each */
#define HDR		0x40000u
#define STATUS		0x80000u
#define DATA		0x100000u
#define QS		256
#define WAIT_MS		30000
#define COMMON(f)	(BAR + offsetof(struct virtio_pci_common_cfg, f))

static struct machine m;
static struct guest_mem gm;
static uint8_t *ram;

/* The kernel's side of an ioeventfd: nothing here, the MMIO write kicks. */
static int stub_ioeventfd(struct machine *mm, uint64_t gpa, uint32_t len,
			  int fd, bool assign)
{
	return 0;
}

static void wr(uint64_t addr, unsigned int size, uint64_t v)
{
	bus_write(&m.mmio, addr, size, v);
}

static struct vring_avail *avail(void)
{
	return (struct vring_avail *)(ram + AVAIL);
}

static uint16_t used_idx(void)
{
	return __atomic_load_n(&((struct vring_used *)(ram + USED))->idx,
			       __ATOMIC_ACQUIRE);
}

static void sleep_ms(unsigned int ms)
{
	struct timespec t = { ms / 1000, (ms % 1000) * 1000000L };

	nanosleep(&t, NULL);
}

/* Up to WAIT_MS for the used index to reach want: true if it did. */
static bool wait_used(uint16_t want)
{
	unsigned int ms;

	for (ms = 0; ms < WAIT_MS && used_idx() != want; ms++)
		sleep_ms(1);
	return used_idx() == want;
}

/* The driver's handshake, INDIRECT_DESC and VERSION_1, queue 0 on. */
static void start(void)
{
	wr(COMMON(device_status), 1, 0);
	wr(COMMON(device_status), 1, 3);
	wr(COMMON(guest_feature_select), 4, 0);
	wr(COMMON(guest_feature), 4, 1u << VIRTIO_RING_F_INDIRECT_DESC);
	wr(COMMON(guest_feature_select), 4, 1);
	wr(COMMON(guest_feature), 4, 1);
	wr(COMMON(device_status), 1, 0x0b);
	memset(ram + DESC, 0, USED + 0x4000 - DESC);
	wr(COMMON(queue_select), 2, 0);
	wr(COMMON(queue_size), 2, QS);
	wr(COMMON(queue_desc_lo), 4, DESC);
	wr(COMMON(queue_avail_lo), 4, AVAIL);
	wr(COMMON(queue_used_lo), 4, USED);
	wr(COMMON(queue_enable), 2, 1);
	wr(COMMON(device_status), 1, 0x0f);
}

/* n reads of sectors sectors each, one indirect table each, one notify. */
static void submit(unsigned int n, unsigned int sectors)
{
	struct vring_desc *d = (struct vring_desc *)(ram + DESC);
	unsigned int i, s;

	for (i = 0; i < n; i++) {
		struct vring_desc *t = (struct vring_desc *)(ram + IND + i * 48);
		struct virtio_blk_outhdr *h = (void *)(ram + HDR + i * 16);

		h->type = VIRTIO_BLK_T_IN;
		h->sector = i % 64;
		t[0] = (struct vring_desc) { HDR + i * 16, 16,
					     VRING_DESC_F_NEXT, 1 };
		t[1] = (struct vring_desc) { DATA, sectors * 512,
					     VRING_DESC_F_NEXT |
					     VRING_DESC_F_WRITE, 2 };
		t[2] = (struct vring_desc) { STATUS + i, 1,
					     VRING_DESC_F_WRITE, 0 };
		ram[STATUS + i] = 0xee;
		s = avail()->idx % QS;
		d[s] = (struct vring_desc) { IND + i * 48, 48,
					     VRING_DESC_F_INDIRECT, 0 };
		avail()->ring[s] = s;
		__atomic_store_n(&avail()->idx, avail()->idx + 1,
				 __ATOMIC_RELEASE);
	}
	wr(BAR + 0x3000, 2, 0);
}

static bool all_ok(unsigned int n)
{
	unsigned int i;

	for (i = 0; i < n; i++)
		if (ram[STATUS + i] != VIRTIO_BLK_S_OK)
			return false;
	return true;
}

static void setup(char *path)
{
	char spec[128], why[160] = "";
	const char *specs[] = { spec };
	unsigned int s;
	int fd = mkstemp(path);

	ok(fd >= 0 && !ftruncate(fd, 64 << 20), "a 64 MiB image");
	close(fd);
	snprintf(spec, sizeof(spec), "virtio-blk,path=%s", path);
	ram = calloc(1, RAM_SIZE);
	gm.nr = 1;
	gm.r[0] = (struct guest_mem_region) { 0, RAM_SIZE, ram, true };
	machine_init(&m, -1);
	m.evloop = fake_evloop();
	m.mem = &gm;
	m.ram_size = RAM_SIZE;
	m.ioeventfd = stub_ioeventfd;
	is_int(devices_create(&m, specs, 1, why, sizeof(why)), 0,
	       "a disk with its I/O thread and workers %s", why);
	for (s = 0; s < PCI_SLOTS; s++)
		if (pci_config_read(&m, 0, s, 0, PCI_VENDOR_ID, 4) ==
		    (0x1042u << 16 | 0x1af4))
			break;
	pci_config_write(&m, 0, s, 0, PCI_BASE_ADDRESS_4, 4, BAR);
	pci_config_write(&m, 0, s, 0, PCI_BASE_ADDRESS_5, 4, 0);
	pci_config_write(&m, 0, s, 0, PCI_BASE_ADDRESS_1, 4, BAR + 0x80000);
	pci_config_write(&m, 0, s, 0, PCI_COMMAND, 2,
			 PCI_COMMAND_MEMORY | PCI_COMMAND_MASTER);
}

static void test_more_than_slots(void)
{
	unsigned int round, done = 0;

	for (round = 0; round < 20; round++) {
		start();
		submit(QS, 8);
		if (!wait_used(QS) || !all_ok(QS))
			break;
		done++;
	}
	is_int(done, 20,
	       "256 requests at once (128 slots) all complete, status OK, 20 rounds (last used %u)",
	       used_idx());
}

static void test_pause(void)
{
	unsigned int round, moved = 0, stalled = 0;
	uint16_t at;

	for (round = 0; round < 20; round++) {
		start();
		submit(QS, 64 << (round % 3));
		sleep_ms(round % 3);
		devices_pause(&m);
		at = used_idx();
		sleep_ms(5);
		if (used_idx() != at)
			moved++;
		devices_resume(&m, 0);
		if (!wait_used(QS))
			stalled++;
	}
	is_int(moved, 0, "the used ring stands still while the machine is paused");
	is_int(stalled, 0, "after the resume every request completes");
	start();
	submit(QS, 64);
	devices_pause(&m);
	devices_reset(&m);
	memset(ram + USED, 0, 0x1000);
	devices_resume(&m, 0);
	sleep_ms(20);
	is_int(used_idx(), 0,
	       "a machine reset while paused drops what was kept for the resume");
}

/* Last: the destroy joins every thread before the final look. */
static void test_reset_in_flight(void)
{
	unsigned int round;

	/* The driver resets and at once sets the queue up again. */
	for (round = 0; round < 50; round++) {
		start();
		submit(QS, 64);
		wr(COMMON(device_status), 1, 0);
		start();
	}
	devices_destroy(&m);
	is_int(used_idx(), 0,
	       "resets with requests in flight, the queue set up again at once: nothing of the old requests written into the new used ring");
}

int main(void)
{
	char path[] = "/tmp/test_virtio_blk_pool.XXXXXX";

	setup(path);
	test_more_than_slots();
	test_pause();
	test_reset_in_flight();
	machine_destroy(&m);
	unlink(path);
	free(ram);
	return tap_done();
}
