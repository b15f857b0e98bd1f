// SPDX-License-Identifier: GPL-2.0
/*
 * virtio-blk (virtio/virtio_blk.c) on image files, driven through its PCI
 * function as Linux's virtio_blk would, without the I/O threads (requests
 * run on the notifying thread): the configuration space (capacity,
 * queues, limits), reads and writes that reach the file, and each kind of
 * request a guest may get wrong -- a length that is no multiple of 512, a
 * range past the end or wrapping around, a header cut short, an unknown
 * type, discard and write-zeroes ranges with bad flags or past the end,
 * writes to a read-only disk -- answered IOERR or UNSUPP with the image
 * untouched; discard punches a hole; GET_ID gives the serial; a second
 * read-write open of an image is refused by its lock.
 */
#include <errno.h>
#include <fcntl.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <sys/stat.h>
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

#define RAM_SIZE	(8u << 20)
#define BAR_A		0xe0000000u	/* the read-write disk's BAR 4 */
#define BAR_B		0xe0100000u	/* the read-only one's */
#define DESC		0x10000u
#define AVAIL		0x11000u
#define USED		0x12000u
#define HDR		0x20000u
#define DATA		0x30000u
#define STATUS		0x2f000u
#define QSIZE		16
#define DISK_SECTORS	64		/* 32 KiB images */
#define DEVCFG(f)	(0x2000 + offsetof(struct virtio_blk_config, f))
#define COMMON(f)	offsetof(struct virtio_pci_common_cfg, f)

static struct machine m;
static struct guest_mem gm;
static uint8_t *ram;
static char path_a[64], path_b[64];
static uint8_t image[DISK_SECTORS * 512];

static uint64_t rd(uint64_t addr, unsigned int size)
{
	uint64_t v = 0;

	bus_read(&m.mmio, addr, size, &v);
	return v;
}

static void wr(uint64_t addr, unsigned int size, uint64_t v)
{
	bus_write(&m.mmio, addr, size, v);
}

static struct vring_desc *desc(unsigned int i)
{
	return (struct vring_desc *)(ram + DESC) + i;
}

static struct vring_avail *avail(void)
{
	return (struct vring_avail *)(ram + AVAIL);
}

static struct vring_used *used(void)
{
	return (struct vring_used *)(ram + USED);
}

/* Slot of the n-th 1af4:1042 function, BARs mapped at bar. */
static void map(unsigned int n, uint32_t bar)
{
	unsigned int s, seen = 0;

	for (s = 0; s < PCI_SLOTS; s++) {
		if (pci_config_read(&m, 0, s, 0, PCI_VENDOR_ID, 4) !=
		    (0x1042u << 16 | 0x1af4))
			continue;
		if (seen++ == n)
			break;
	}
	ok(s < PCI_SLOTS, "disk %u is 1af4:1042 on the bus (slot %u)", n, s);
	pci_config_write(&m, 0, s, 0, PCI_BASE_ADDRESS_4, 4, bar);
	pci_config_write(&m, 0, s, 0, PCI_BASE_ADDRESS_5, 4, 0);
	pci_config_write(&m, 0, s, 0, PCI_BASE_ADDRESS_1, 4, bar + 0x80000);
	pci_config_write(&m, 0, s, 0, PCI_COMMAND, 2,
			 PCI_COMMAND_MEMORY | PCI_COMMAND_MASTER);
}

/* The driver's handshake with VERSION_1 and what is offered in 0..31. */
static void start(uint32_t bar)
{
	uint32_t f;

	wr(bar + COMMON(device_status), 1, 0);
	wr(bar + COMMON(device_status), 1, 3);
	wr(bar + COMMON(device_feature_select), 4, 0);
	f = rd(bar + COMMON(device_feature), 4);
	wr(bar + COMMON(guest_feature_select), 4, 0);
	wr(bar + COMMON(guest_feature), 4, f & ~(1u << VIRTIO_RING_F_EVENT_IDX));
	wr(bar + COMMON(guest_feature_select), 4, 1);
	wr(bar + COMMON(guest_feature), 4, 1);
	wr(bar + COMMON(device_status), 1, 0x0b);
	memset(ram + DESC, 0, 0x3000);
	wr(bar + COMMON(queue_select), 2, 0);
	wr(bar + COMMON(queue_size), 2, QSIZE);
	wr(bar + COMMON(queue_desc_lo), 4, DESC);
	wr(bar + COMMON(queue_avail_lo), 4, AVAIL);
	wr(bar + COMMON(queue_used_lo), 4, USED);
	wr(bar + COMMON(queue_enable), 2, 1);
	wr(bar + COMMON(device_status), 1, 0x0f);
}

/*
 * One request: a header of hdr_len bytes, data_len bytes at DATA (the
 * device writes them when in), a status byte.  The status, or -1 when the
 * device said nothing; *written the used length.
 */
static int request(uint32_t bar, uint32_t type, uint64_t sector,
		   uint32_t data_len, bool in, uint32_t hdr_len,
		   uint32_t *written)
{
	struct virtio_blk_outhdr *h = (void *)(ram + HDR);
	uint16_t u = used()->idx, a = avail()->idx;
	unsigned int n = 0, head = (a * 3) % QSIZE;

	h->type = type;
	h->ioprio = 0;
	h->sector = sector;
	ram[STATUS] = 0xee;
	desc(head)->addr = HDR;
	desc(head)->len = hdr_len;
	desc(head)->flags = VRING_DESC_F_NEXT;
	if (data_len) {
		n = 1;
		desc(head)->next = (head + 1) % QSIZE;
		desc((head + 1) % QSIZE)->addr = DATA;
		desc((head + 1) % QSIZE)->len = data_len;
		desc((head + 1) % QSIZE)->flags = VRING_DESC_F_NEXT |
						  (in ? VRING_DESC_F_WRITE : 0);
	}
	desc((head + n) % QSIZE)->next = (head + n + 1) % QSIZE;
	desc((head + n + 1) % QSIZE)->addr = STATUS;
	desc((head + n + 1) % QSIZE)->len = 1;
	desc((head + n + 1) % QSIZE)->flags = VRING_DESC_F_WRITE;
	avail()->ring[a % QSIZE] = head;
	avail()->idx = a + 1;
	wr(bar + 0x3000, 2, 0);
	if (used()->idx != (uint16_t)(u + 1))
		return -2;
	*written = used()->ring[u % QSIZE].len;
	return ram[STATUS] == 0xee ? -1 : ram[STATUS];
}

static int file_equal(const char *path, const uint8_t *want)
{
	uint8_t got[sizeof(image)];
	int fd = open(path, O_RDONLY);
	ssize_t n = fd >= 0 ? pread(fd, got, sizeof(got), 0) : -1;

	if (fd >= 0)
		close(fd);
	return n == (ssize_t)sizeof(got) && !memcmp(got, want, sizeof(got));
}

static void setup(void)
{
	char a[128], b[128], why[160] = "";
	const char *specs[] = { a, b };
	unsigned int i;
	int fd;

	for (i = 0; i < sizeof(image); i++)
		image[i] = i * 7 + i / 512;
	strcpy(path_a, "/tmp/test_virtio_blk.XXXXXX");
	strcpy(path_b, "/tmp/test_virtio_blk.XXXXXX");
	fd = mkstemp(path_a);
	ok(fd >= 0 && write(fd, image, sizeof(image)) == sizeof(image),
	   "a 32 KiB image");
	close(fd);
	fd = mkstemp(path_b);
	ok(fd >= 0 && write(fd, image, sizeof(image)) == sizeof(image),
	   "and a second");
	close(fd);
	snprintf(a, sizeof(a), "virtio-blk,path=%s,serial=vireo-serial-0001,queues=2",
		 path_a);
	snprintf(b, sizeof(b), "virtio-blk,path=%s,readonly=on", path_b);

	ram = calloc(1, RAM_SIZE);
	gm.nr = 1;
	gm.r[0] = (struct guest_mem_region) { 0, RAM_SIZE, ram, true };
	machine_init(&m, -1);
	m.evloop = fake_evloop();
	m.mem = &gm;
	m.ram_size = RAM_SIZE;
	is_int(devices_create(&m, specs, 2, why, sizeof(why)), 0,
	       "a PC with two virtio-blk disks %s", why);
	map(0, BAR_A);
	map(1, BAR_B);
}

static void test_config(void)
{
	wr(BAR_A + COMMON(device_feature_select), 4, 0);
	ok((rd(BAR_A + COMMON(device_feature), 4) &
	    (1u << VIRTIO_BLK_F_FLUSH | 1u << VIRTIO_BLK_F_DISCARD |
	     1u << VIRTIO_BLK_F_WRITE_ZEROES | 1u << VIRTIO_BLK_F_MQ |
	     1u << VIRTIO_BLK_F_RO)) ==
	   (1u << VIRTIO_BLK_F_FLUSH | 1u << VIRTIO_BLK_F_DISCARD |
	    1u << VIRTIO_BLK_F_WRITE_ZEROES | 1u << VIRTIO_BLK_F_MQ),
	   "disk A offers FLUSH, DISCARD, WRITE_ZEROES, MQ, not RO");
	wr(BAR_B + COMMON(device_feature_select), 4, 0);
	ok(rd(BAR_B + COMMON(device_feature), 4) & 1u << VIRTIO_BLK_F_RO,
	   "disk B offers RO");
	is_int(rd(BAR_A + DEVCFG(capacity), 4), DISK_SECTORS,
	       "capacity: 64 sectors");
	is_int(rd(BAR_A + DEVCFG(capacity) + 4, 4), 0, "(high half 0)");
	is_int(rd(BAR_A + DEVCFG(num_queues), 2), 2, "num_queues 2");
	is_int(rd(BAR_A + COMMON(num_queues), 2), 2, "and two queues");
	is_int(rd(BAR_B + COMMON(num_queues), 2), 1, "disk B has one");
	is_int(rd(BAR_A + DEVCFG(seg_max), 4), 254, "seg_max: queue size - 2");
	is_int(rd(BAR_A + DEVCFG(max_discard_seg), 4), 32,
	       "32 discard ranges a request");
	is_int(rd(BAR_A + 0x2000 + 60, 4), 0,
	       "past the configuration space: zeros");
}

static void test_read_write(void)
{
	uint8_t want[sizeof(image)];
	uint32_t w = 0;

	start(BAR_A);
	memset(ram + DATA, 0, 4096);
	is_int(request(BAR_A, VIRTIO_BLK_T_IN, 2, 1024, true, 16, &w), 0,
	       "read 2 sectors at sector 2: OK");
	ok(!memcmp(ram + DATA, image + 1024, 1024) && w == 1025,
	   "the file's bytes, used length 1025");
	memset(ram + DATA, 0x5a, 2048);
	is_int(request(BAR_A, VIRTIO_BLK_T_OUT, 60, 2048, false, 16, &w), 0,
	       "write the last 4 sectors: OK");
	memcpy(want, image, sizeof(want));
	memset(want + 60 * 512, 0x5a, 2048);
	ok(file_equal(path_a, want) && w == 1, "they are in the file");
	is_int(request(BAR_A, VIRTIO_BLK_T_FLUSH, 0, 0, false, 16, &w), 0,
	       "flush: OK");

	memset(ram + DATA, 0x77, 4096);
	is_int(request(BAR_A, VIRTIO_BLK_T_OUT, 61, 2048, false, 16, &w),
	       VIRTIO_BLK_S_IOERR, "a write one sector past the end: IOERR");
	is_int(request(BAR_A, VIRTIO_BLK_T_OUT, ~0ULL - 1, 1024, false, 16, &w),
	       VIRTIO_BLK_S_IOERR, "a sector that wraps around: IOERR");
	is_int(request(BAR_A, VIRTIO_BLK_T_OUT, 0, 1000, false, 16, &w),
	       VIRTIO_BLK_S_IOERR, "1000 bytes (no multiple of 512): IOERR");
	is_int(request(BAR_A, VIRTIO_BLK_T_IN, 64, 512, true, 16, &w),
	       VIRTIO_BLK_S_IOERR, "a read past the end: IOERR");
	ok(file_equal(path_a, want), "the image is as it was");
	is_int(request(BAR_A, 99, 0, 512, true, 16, &w), VIRTIO_BLK_S_UNSUPP,
	       "an unknown type: UNSUPP");
	is_int(request(BAR_A, VIRTIO_BLK_T_OUT, 0, 0, false, 8, &w), -1,
	       "a header cut short (8 bytes): given back, no status written");
	ok(w == 0 && file_equal(path_a, want), "used length 0, nothing written");
	memset(ram + DATA, 0, 64);
	is_int(request(BAR_A, VIRTIO_BLK_T_GET_ID, 0, 64, true, 16, &w), 0,
	       "GET_ID: OK");
	ok(!memcmp(ram + DATA, "vireo-serial-0001\0\0\0", 20) && w == 21 &&
	   ram[DATA + 20] == 0, "the serial, 20 bytes, NUL-padded, no more");
}

static void test_discard(void)
{
	struct virtio_blk_discard_write_zeroes *r = (void *)(ram + DATA);
	uint8_t want[sizeof(image)];
	uint32_t w;

	memcpy(want, image, sizeof(want));
	memset(want + 60 * 512, 0x5a, 2048);
	r[0].sector = 8;
	r[0].num_sectors = 8;
	r[0].flags = 0;
	is_int(request(BAR_A, VIRTIO_BLK_T_DISCARD, 0, 16, false, 16, &w), 0,
	       "discard sectors 8-15: OK");
	memset(want + 8 * 512, 0, 8 * 512);
	ok(file_equal(path_a, want), "they read as zeros in the file");
	r[0].flags = VIRTIO_BLK_WRITE_ZEROES_FLAG_UNMAP;
	is_int(request(BAR_A, VIRTIO_BLK_T_DISCARD, 0, 16, false, 16, &w),
	       VIRTIO_BLK_S_UNSUPP, "a discard with UNMAP: UNSUPP (5.2.6.2)");
	r[0].flags = 0x10;
	is_int(request(BAR_A, VIRTIO_BLK_T_WRITE_ZEROES, 0, 16, false, 16, &w),
	       VIRTIO_BLK_S_UNSUPP, "write-zeroes with an unknown flag: UNSUPP");
	r[0].flags = 0;
	r[0].sector = 60;
	r[0].num_sectors = 5;
	is_int(request(BAR_A, VIRTIO_BLK_T_WRITE_ZEROES, 0, 16, false, 16, &w),
	       VIRTIO_BLK_S_IOERR, "write-zeroes past the end: IOERR");
	r[0].num_sectors = 2;
	r[1].sector = ~0ULL;
	r[1].num_sectors = 2;
	r[1].flags = 0;
	is_int(request(BAR_A, VIRTIO_BLK_T_WRITE_ZEROES, 0, 32, false, 16, &w),
	       VIRTIO_BLK_S_IOERR,
	       "two ranges, the second absurd: IOERR, the first not done either");
	ok(file_equal(path_a, want), "the image is as it was");
	r[1].sector = 20;
	r[1].flags = VIRTIO_BLK_WRITE_ZEROES_FLAG_UNMAP;
	is_int(request(BAR_A, VIRTIO_BLK_T_WRITE_ZEROES, 0, 32, false, 16, &w),
	       0, "write-zeroes of two ranges, one with UNMAP: OK");
	memset(want + 60 * 512, 0, 1024);
	memset(want + 20 * 512, 0, 1024);
	ok(file_equal(path_a, want), "both read as zeros");
	is_int(request(BAR_A, VIRTIO_BLK_T_DISCARD, 0, 24, false, 16, &w),
	       VIRTIO_BLK_S_IOERR, "a range list of 24 bytes: IOERR");
	is_int(request(BAR_A, VIRTIO_BLK_T_DISCARD, 0, 33 * 16, false, 16, &w),
	       VIRTIO_BLK_S_UNSUPP, "33 ranges (32 offered): UNSUPP");
}

static void test_readonly(void)
{
	struct virtio_blk_discard_write_zeroes *r = (void *)(ram + DATA);
	uint32_t w;

	start(BAR_B);
	memset(ram + DATA, 0x11, 4096);
	is_int(request(BAR_B, VIRTIO_BLK_T_OUT, 0, 512, false, 16, &w),
	       VIRTIO_BLK_S_IOERR, "a write to the read-only disk: IOERR");
	r[0].sector = 0;
	r[0].num_sectors = 8;
	r[0].flags = 0;
	is_int(request(BAR_B, VIRTIO_BLK_T_DISCARD, 0, 16, false, 16, &w),
	       VIRTIO_BLK_S_IOERR, "a discard: IOERR");
	is_int(request(BAR_B, VIRTIO_BLK_T_FLUSH, 0, 0, false, 16, &w), 0,
	       "a flush: OK (nothing to write)");
	ok(file_equal(path_b, image), "the read-only image is untouched");
	is_int(request(BAR_B, VIRTIO_BLK_T_IN, 0, 512, true, 16, &w), 0,
	       "reads work");
	ok(!memcmp(ram + DATA, image, 512), "with the file's bytes");
}

/* Nine 8 MiB buffers, all of guest RAM: 72 MiB asked in one read. */
static void test_too_big(void)
{
	struct virtio_blk_outhdr *h = (void *)(ram + HDR);
	uint16_t u = used()->idx, a = avail()->idx;
	unsigned int i;

	h->type = VIRTIO_BLK_T_IN;
	h->sector = 0;
	ram[STATUS] = 0xee;
	desc(0)->addr = HDR;
	desc(0)->len = 16;
	desc(0)->flags = VRING_DESC_F_NEXT;
	desc(0)->next = 1;
	for (i = 1; i <= 9; i++) {
		desc(i)->addr = 0;
		desc(i)->len = RAM_SIZE;
		desc(i)->flags = VRING_DESC_F_NEXT | VRING_DESC_F_WRITE;
		desc(i)->next = i + 1;
	}
	desc(10)->addr = STATUS;
	desc(10)->len = 1;
	desc(10)->flags = VRING_DESC_F_WRITE;
	avail()->ring[a % QSIZE] = 0;
	avail()->idx = a + 1;
	wr(BAR_B + 0x3000, 2, 0);
	ok(used()->idx == (uint16_t)(u + 1) && ram[STATUS] == VIRTIO_BLK_S_IOERR,
	   "a 72 MiB read (nine buffers over all of RAM): IOERR, not read");
}

static void test_lock(void)
{
	struct machine m2;
	char spec[128], why[200] = "";
	const char *specs[] = { spec };

	machine_init(&m2, -1);
	m2.evloop = fake_evloop();
	m2.mem = &gm;
	m2.ram_size = RAM_SIZE;
	snprintf(spec, sizeof(spec), "virtio-blk,path=%s", path_a);
	ok(devices_create(&m2, specs, 1, why, sizeof(why)) < 0 &&
	   strstr(why, "in use"),
	   "a second VM cannot open the disk read-write (%s)", why);
	snprintf(spec, sizeof(spec), "virtio-blk,path=%s,readonly=on", path_a);
	ok(devices_create(&m2, specs, 1, why, sizeof(why)) < 0,
	   "nor read-only while it is written");
	snprintf(spec, sizeof(spec), "virtio-blk,path=%s,readonly=on", path_b);
	why[0] = 0;
	is_int(devices_create(&m2, specs, 1, why, sizeof(why)), 0,
	       "a read-only disk may be shared read-only %s", why);
	devices_destroy(&m2);
	snprintf(spec, sizeof(spec), "virtio-blk,path=%s", path_b);
	ok(devices_create(&m2, specs, 1, why, sizeof(why)) < 0,
	   "but not opened read-write beside it");
	snprintf(spec, sizeof(spec), "virtio-blk,path=/nonexistent/disk.img");
	ok(devices_create(&m2, specs, 1, why, sizeof(why)) == -ENOENT &&
	   strstr(why, "No such file"), "a missing image: %s", why);
	snprintf(spec, sizeof(spec), "virtio-blk,path=%s,serial=%s", path_b,
		 "123456789012345678901");
	ok(devices_create(&m2, specs, 1, why, sizeof(why)) == -EINVAL,
	   "a 21-character serial: %s", why);
	machine_destroy(&m2);
}

int main(void)
{
	setup();
	test_config();
	test_read_write();
	test_discard();
	test_readonly();
	test_too_big();
	test_lock();
	devices_destroy(&m);
	machine_destroy(&m);
	unlink(path_a);
	unlink(path_b);
	free(ram);
	return tap_done();
}
