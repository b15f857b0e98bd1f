// SPDX-License-Identifier: GPL-2.0
/*
 * vq_poke: a guest program that drives a virtio PCI function itself, as a
 * malicious driver would, and feeds its first queue malformed descriptor
 * chains.  Static, for tests/virtio/run's busybox initramfs; run as root
 * with the device's driver unbound.
 *
 *   vq_poke VENDOR:DEVICE [QUEUE]  e.g. 1af4:1044 (virtio-rng); queue 0
 *                                   unless given (1: virtio-net's transmit)
 *
 * For each case it resets the device, negotiates VERSION_1 only (so an
 * indirect descriptor is a protocol error too), sets up the queue with 8
 * entries in pages whose guest-physical addresses /proc/self/pagemap
 * gives, writes the chain, notifies, and prints
 *
 *   vireo-guest: poke CASE: status 0xSS used N
 *
 * where SS is the device status afterwards (0x40 set: DEVICE_NEEDS_RESET)
 * and N the used index.  The last case is a good request, after a reset,
 * which the device must complete.
 */
#include <dirent.h>
#include <stddef.h>
#include <errno.h>
#include <fcntl.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <unistd.h>
#include <linux/virtio_config.h>
#include <linux/virtio_ring.h>
#define VIRTIO_PCI_NO_LEGACY
#include <linux/virtio_pci.h>

#define QSIZE		8
#define PAGE		4096

static uint8_t *bar;			/* BAR 4, as Vireo lays it out */
static uint8_t *pages;			/* 4 pages: desc, avail, used, data */
static uint64_t phys[4];
static unsigned int queue;		/* the one poked */

#define COMMON(f)	offsetof(struct virtio_pci_common_cfg, f)

/*
 * Device registers: one plain access each, of the field's width (an
 * atomic access the compiler neither drops nor merges; relaxed, so a
 * MOV, which the hypervisor decodes, and not an XCHG).  The rings are
 * written before the notify by program order, which x86 keeps.
 */
static void w8(size_t off, uint8_t v)
{
	__atomic_store_n(bar + off, v, __ATOMIC_RELAXED);
}

static void w16(size_t off, uint16_t v)
{
	__atomic_store_n((uint16_t *)(bar + off), v, __ATOMIC_RELAXED);
}

static void w32(size_t off, uint32_t v)
{
	__atomic_store_n((uint32_t *)(bar + off), v, __ATOMIC_RELAXED);
}

static uint8_t r8(size_t off)
{
	return __atomic_load_n(bar + off, __ATOMIC_RELAXED);
}

static struct vring_desc *desc(unsigned int i)
{
	return (struct vring_desc *)pages + i;
}

static struct vring_avail *avail(void)
{
	return (struct vring_avail *)(pages + PAGE);
}

static struct vring_used *used(void)
{
	return (struct vring_used *)(pages + 2 * PAGE);
}

static uint64_t virt_to_phys(void *p)
{
	uint64_t entry = 0;
	int fd = open("/proc/self/pagemap", O_RDONLY);

	if (fd < 0 || pread(fd, &entry, 8, (uintptr_t)p / PAGE * 8) != 8) {
		perror("vq_poke: pagemap");
		exit(1);
	}
	close(fd);
	if (!(entry & (1ULL << 63)) || !(entry & ((1ULL << 55) - 1))) {
		fprintf(stderr, "vq_poke: no frame for %p\n", p);
		exit(1);
	}
	return (entry & ((1ULL << 55) - 1)) * PAGE + (uintptr_t)p % PAGE;
}

static int write_str(const char *path, const char *s)
{
	int fd = open(path, O_WRONLY), r;

	if (fd < 0)
		return -1;
	r = write(fd, s, strlen(s)) < 0 ? -1 : 0;
	close(fd);
	return r;
}

/* The device's sysfs directory: unbound, enabled, bus master, BAR 4 mapped. */
static void find_device(const char *id)
{
	char path[512], want[32], got[64];
	struct dirent *d;
	DIR *dir = opendir("/sys/bus/pci/devices");
	int fd;

	snprintf(want, sizeof(want), "0x%.4s 0x%.4s", id, id + 5);
	while (dir && (d = readdir(dir))) {
		FILE *f;
		char v[16] = "", dv[16] = "";

		if (d->d_name[0] == '.')
			continue;
		snprintf(path, sizeof(path), "/sys/bus/pci/devices/%s/vendor",
			 d->d_name);
		f = fopen(path, "r");
		if (!f || !fgets(v, sizeof(v), f)) {
			if (f)
				fclose(f);
			continue;
		}
		fclose(f);
		snprintf(path, sizeof(path), "/sys/bus/pci/devices/%s/device",
			 d->d_name);
		f = fopen(path, "r");
		if (!f || !fgets(dv, sizeof(dv), f)) {
			if (f)
				fclose(f);
			continue;
		}
		fclose(f);
		v[strcspn(v, "\n")] = 0;
		dv[strcspn(dv, "\n")] = 0;
		snprintf(got, sizeof(got), "%s %s", v, dv);
		if (strcmp(got, want))
			continue;
		snprintf(path, sizeof(path),
			 "/sys/bus/pci/devices/%s/driver/unbind", d->d_name);
		write_str(path, d->d_name);
		snprintf(path, sizeof(path), "/sys/bus/pci/devices/%s/enable",
			 d->d_name);
		write_str(path, "1");
		/* Memory decode and bus mastering in the command register. */
		snprintf(path, sizeof(path), "/sys/bus/pci/devices/%s/config",
			 d->d_name);
		fd = open(path, O_RDWR);
		if (fd >= 0) {
			uint16_t cmd = 0;

			pread(fd, &cmd, 2, 4);
			cmd |= 0x6;
			pwrite(fd, &cmd, 2, 4);
			close(fd);
		}
		snprintf(path, sizeof(path), "/sys/bus/pci/devices/%s/resource4",
			 d->d_name);
		fd = open(path, O_RDWR | O_SYNC);
		if (fd < 0) {
			perror("vq_poke: resource4");
			exit(1);
		}
		bar = mmap(NULL, 0x4000, PROT_READ | PROT_WRITE, MAP_SHARED,
			   fd, 0);
		if (bar == MAP_FAILED) {
			perror("vq_poke: mmap BAR 4");
			exit(1);
		}
		closedir(dir);
		return;
	}
	fprintf(stderr, "vq_poke: no %s device\n", id);
	exit(1);
}

/* Reset, VERSION_1 only, queue 0 of QSIZE in our pages, DRIVER_OK. */
static void bring_up(void)
{
	memset(pages, 0, 3 * PAGE);
	w8(COMMON(device_status), 0);
	w8(COMMON(device_status), VIRTIO_CONFIG_S_ACKNOWLEDGE |
	   VIRTIO_CONFIG_S_DRIVER);
	w32(COMMON(guest_feature_select), 0);
	w32(COMMON(guest_feature), 0);
	w32(COMMON(guest_feature_select), 1);
	w32(COMMON(guest_feature), 1);		/* VERSION_1 */
	w8(COMMON(device_status), 0x0b);
	w16(COMMON(queue_select), queue);
	w16(COMMON(queue_size), QSIZE);
	w32(COMMON(queue_desc_lo), (uint32_t)phys[0]);
	w32(COMMON(queue_desc_hi), phys[0] >> 32);
	w32(COMMON(queue_avail_lo), (uint32_t)phys[1]);
	w32(COMMON(queue_avail_hi), phys[1] >> 32);
	w32(COMMON(queue_used_lo), (uint32_t)phys[2]);
	w32(COMMON(queue_used_hi), phys[2] >> 32);
	w16(COMMON(queue_msix_vector), 0xffff);
	w16(COMMON(queue_enable), 1);
	w8(COMMON(device_status), 0x0f);
}

static void set(unsigned int i, uint64_t addr, uint32_t len, uint16_t flags,
		uint16_t next)
{
	desc(i)->addr = addr;
	desc(i)->len = len;
	desc(i)->flags = flags;
	desc(i)->next = next;
}

static void offer(uint16_t head)
{
	avail()->ring[avail()->idx % QSIZE] = head;
	__atomic_store_n(&avail()->idx, avail()->idx + 1, __ATOMIC_RELEASE);
}

/*
 * Notify, then wait (up to 5 s) for the device to answer: it may work on
 * a thread of its own, after the write has returned.
 */
static void notify_and_report(const char *name)
{
	int i;

	w16(0x3000 + 4 * queue, queue);	/* Vireo's notify multiplier */
	for (i = 0; i < 5000; i++) {
		if ((r8(COMMON(device_status)) & VIRTIO_CONFIG_S_NEEDS_RESET) ||
		    __atomic_load_n(&used()->idx, __ATOMIC_ACQUIRE))
			break;
		usleep(1000);
	}
	printf("vireo-guest: poke %s: status 0x%02x used %u\n", name,
	       r8(COMMON(device_status)),
	       __atomic_load_n(&used()->idx, __ATOMIC_ACQUIRE));
	fflush(stdout);
}

int main(int argc, char **argv)
{
	uint64_t buf;
	int i;

	if (argc < 2 || argc > 3 || strlen(argv[1]) != 9 ||
	    argv[1][4] != ':') {
		fprintf(stderr, "usage: vq_poke VENDOR:DEVICE [QUEUE]\n");
		return 2;
	}
	if (argc == 3)
		queue = atoi(argv[2]) & 15;
	find_device(argv[1]);
	pages = mmap(NULL, 4 * PAGE, PROT_READ | PROT_WRITE,
		     MAP_PRIVATE | MAP_ANONYMOUS | MAP_LOCKED | MAP_POPULATE,
		     -1, 0);
	if (pages == MAP_FAILED) {
		perror("vq_poke: mmap");
		return 1;
	}
	for (i = 0; i < 4; i++) {
		pages[i * PAGE] = 1;
		phys[i] = virt_to_phys(pages + i * PAGE);
	}
	buf = phys[3];

	bring_up();
	set(0, 1ULL << 46, 64, VRING_DESC_F_WRITE, 0);	/* far past RAM */
	offer(0);
	notify_and_report("out-of-ram");

	bring_up();
	set(0, buf, 64, VRING_DESC_F_WRITE | VRING_DESC_F_NEXT, 1);
	set(1, buf, 64, VRING_DESC_F_WRITE | VRING_DESC_F_NEXT, 0);
	offer(0);
	notify_and_report("loop");

	bring_up();
	set(0, buf, 0, VRING_DESC_F_WRITE, 0);
	offer(0);
	notify_and_report("zero-length");

	bring_up();
	for (i = 0; i < QSIZE; i++)
		set(i, buf, 8, VRING_DESC_F_WRITE | VRING_DESC_F_NEXT, i + 1);
	offer(0);
	notify_and_report("chain-past-the-table");

	bring_up();
	set(0, buf, 64, VRING_DESC_F_WRITE, 0);
	avail()->ring[0] = 0;
	__atomic_store_n(&avail()->idx, 1000, __ATOMIC_RELEASE);
	notify_and_report("index-jump");

	bring_up();
	avail()->ring[0] = QSIZE + 3;
	__atomic_store_n(&avail()->idx, 1, __ATOMIC_RELEASE);
	notify_and_report("head-out-of-range");

	bring_up();
	set(0, buf, 64, VRING_DESC_F_WRITE | VRING_DESC_F_NEXT, 200);
	offer(0);
	notify_and_report("next-out-of-range");

	bring_up();
	set(0, buf, 64, VRING_DESC_F_WRITE | VRING_DESC_F_NEXT, 1);
	set(1, buf + 64, 64, 0, 0);
	offer(0);
	notify_and_report("readable-after-writable");

	bring_up();
	set(0, buf, 16, VRING_DESC_F_INDIRECT, 0);
	offer(0);
	notify_and_report("indirect-not-negotiated");

	bring_up();
	set(0, 0xfee00000, 64, VRING_DESC_F_WRITE, 0);	/* the LAPIC window */
	offer(0);
	notify_and_report("mmio-hole");

	/*
	 * A transmit queue (virtio-net's 1) takes a readable buffer: a
	 * virtio-net header of zeros, then a broadcast frame of the local
	 * experimental EtherType 0x88b5 (IEEE 802), which a host takes.
	 */
	bring_up();
	if (queue == 1) {
		static const uint8_t frame[] = {
			0xff, 0xff, 0xff, 0xff, 0xff, 0xff,
			0x02, 0x00, 0x00, 0x00, 0x00, 0x01, 0x88, 0xb5,
		};

		memset(pages + 3 * PAGE, 0, 64);
		memcpy(pages + 3 * PAGE + 12, frame, sizeof(frame));
	}
	set(0, buf, 64, queue == 1 ? 0 : VRING_DESC_F_WRITE, 0);
	offer(0);
	notify_and_report("good");
	w8(COMMON(device_status), 0);
	return 0;
}
