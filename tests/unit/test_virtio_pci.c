// SPDX-License-Identifier: GPL-2.0
/*
 * The virtio PCI transport (virtio/virtio_pci.c) with virtio-rng on it,
 * driven as Linux's virtio_pci_modern does: the identity and the vendor
 * capabilities, the feature and status handshake (FEATURES_OK refused
 * without VERSION_1 or with a feature not offered), a queue set up and
 * notified, its buffer filled and given back with an interrupt by INTA
 * and the ISR, then by MSI-X; vectors out of range read back as none; a
 * broken queue sets DEVICE_NEEDS_RESET with a configuration interrupt
 * and nothing more happens until the driver resets the device; a
 * machine reset brings it back to status 0.
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <linux/pci_regs.h>
#include <linux/virtio_config.h>
#include <linux/virtio_ring.h>
#define VIRTIO_PCI_NO_LEGACY
#include <linux/virtio_pci.h>

#include "devices.h"
#include "fake_platform.h"
#include "guest_mem.h"
#include "machine.h"
#include "pci/pci.h"
#include "pci/pci_msi.h"
#include "virtio/virtio_pci.h"
#include "tap.h"

#define RAM_SIZE	(4u << 20)
#define BAR4		0xe0000000u
#define BAR1		0xe0100000u
#define DESC		0x10000u
#define AVAIL		0x11000u
#define USED		0x12000u
#define BUF		0x20000u
#define QSIZE		16
#define COMMON(f)	(BAR4 + offsetof(struct virtio_pci_common_cfg, f))

static struct machine m;
static struct guest_mem gm;
static uint8_t *ram;
static unsigned int slot;
static unsigned int msis;
static uint32_t last_msi_data;
static unsigned int gsi;

static int record_msi(struct machine *mm, uint64_t address, uint32_t data)
{
	msis++;
	last_msi_data = data;
	return 1;
}

static uint32_t cfg_read(unsigned int off, unsigned int size)
{
	return pci_config_read(&m, 0, slot, 0, off, size);
}

static void cfg_write(unsigned int off, unsigned int size, uint32_t v)
{
	pci_config_write(&m, 0, slot, 0, off, size, v);
}

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

static void program_bars(void)
{
	cfg_write(PCI_BASE_ADDRESS_4, 4, BAR4);
	cfg_write(PCI_BASE_ADDRESS_5, 4, 0);
	cfg_write(PCI_BASE_ADDRESS_1, 4, BAR1);
	cfg_write(PCI_COMMAND, 2, PCI_COMMAND_MEMORY | PCI_COMMAND_MASTER);
}

static void setup(void)
{
	static const char *const specs[] = { "virtio-rng" };
	char why[128] = "";
	unsigned int s;

	ram = calloc(1, RAM_SIZE);
	gm.nr = 1;
	gm.r[0] = (struct guest_mem_region) { 0, RAM_SIZE, ram, true };
	machine_init(&m, -1);
	m.evloop = fake_evloop();
	m.mem = &gm;
	m.ram_size = RAM_SIZE;
	m.signal_msi = record_msi;
	is_int(devices_create(&m, specs, 1, why, sizeof(why)), 0,
	       "a PC with --device virtio-rng %s", why);
	for (s = 0; s < PCI_SLOTS; s++)
		if (pci_config_read(&m, 0, s, 0, PCI_VENDOR_ID, 4) ==
		    (0x1044u << 16 | 0x1af4))
			break;
	slot = s;
	ok(s < PCI_SLOTS, "1af4:1044 is on the bus (slot %u)", s);
	gsi = pci_irq_gsi(slot, 1);
	program_bars();
}

/* The vendor capability of cfg_type type: its offset in config, or 0. */
static unsigned int find_cap(uint8_t type)
{
	unsigned int at = cfg_read(PCI_CAPABILITY_LIST, 1), hops;

	for (hops = 0; at && hops < 48; hops++) {
		if (cfg_read(at, 1) == PCI_CAP_ID_VNDR &&
		    cfg_read(at + VIRTIO_PCI_CAP_CFG_TYPE, 1) == type)
			return at;
		at = cfg_read(at + 1, 1);
	}
	return 0;
}

static void test_identity(void)
{
	unsigned int c, n;

	is_int(cfg_read(PCI_REVISION_ID, 1), 1, "revision 1: non-transitional");
	is_int(cfg_read(PCI_SUBSYSTEM_ID, 2), 0x44, "subsystem ID 0x40 + type");
	ok(cfg_read(PCI_STATUS, 2) & PCI_STATUS_CAP_LIST, "a capability list");
	c = find_cap(VIRTIO_PCI_CAP_COMMON_CFG);
	ok(c && cfg_read(c + VIRTIO_PCI_CAP_BAR, 1) == 4 &&
	   cfg_read(c + VIRTIO_PCI_CAP_OFFSET, 4) == 0 &&
	   cfg_read(c + VIRTIO_PCI_CAP_LENGTH, 4) >=
	   sizeof(struct virtio_pci_common_cfg),
	   "common configuration: BAR 4, offset 0, whole");
	c = find_cap(VIRTIO_PCI_CAP_ISR_CFG);
	ok(c && cfg_read(c + VIRTIO_PCI_CAP_OFFSET, 4) == 0x1000,
	   "ISR at 0x1000");
	n = find_cap(VIRTIO_PCI_CAP_NOTIFY_CFG);
	ok(n && cfg_read(n + VIRTIO_PCI_CAP_OFFSET, 4) == 0x3000 &&
	   cfg_read(n + VIRTIO_PCI_NOTIFY_CAP_MULT, 4) == 4 &&
	   cfg_read(n + VIRTIO_PCI_CAP_LEN, 1) == 20,
	   "notifications at 0x3000, 4 bytes a queue");
	ok(!find_cap(VIRTIO_PCI_CAP_DEVICE_CFG),
	   "no device configuration: virtio-rng has none");
	c = pci_cap_find(pci_find_device(&m, slot), PCI_CAP_ID_MSIX);
	ok(c && (cfg_read(c + PCI_MSIX_FLAGS, 2) & PCI_MSIX_FLAGS_QSIZE) == 1,
	   "MSI-X with 2 vectors (a queue and configuration)");
}

static void test_features(void)
{
	wr(COMMON(device_feature_select), 4, 0);
	ok(rd(COMMON(device_feature), 4) &
	   (1u << VIRTIO_RING_F_INDIRECT_DESC | 1u << VIRTIO_RING_F_EVENT_IDX),
	   "indirect descriptors and the event index offered");
	wr(COMMON(device_feature_select), 4, 1);
	is_int(rd(COMMON(device_feature), 4), 1, "VERSION_1 offered");
	is_int(rd(COMMON(num_queues), 2), 1, "one queue");

	wr(COMMON(device_status), 1, VIRTIO_CONFIG_S_ACKNOWLEDGE |
	   VIRTIO_CONFIG_S_DRIVER);
	wr(COMMON(guest_feature_select), 4, 1);
	wr(COMMON(guest_feature), 4, 0);
	wr(COMMON(device_status), 1, 0x0b);
	ok(!(rd(COMMON(device_status), 1) & VIRTIO_CONFIG_S_FEATURES_OK),
	   "FEATURES_OK refused without VERSION_1");
	wr(COMMON(guest_feature), 4, 1 | 2);
	wr(COMMON(device_status), 1, 0x0b);
	ok(!(rd(COMMON(device_status), 1) & VIRTIO_CONFIG_S_FEATURES_OK),
	   "...and with a feature not offered");
	wr(COMMON(guest_feature), 4, 1);
	wr(COMMON(device_status), 1, 0x0b);
	ok(rd(COMMON(device_status), 1) & VIRTIO_CONFIG_S_FEATURES_OK,
	   "FEATURES_OK with VERSION_1");
	wr(COMMON(guest_feature), 4, 0);
	wr(COMMON(guest_feature_select), 4, 1);
	is_int(rd(COMMON(guest_feature), 4), 1,
	       "features stay as they were once FEATURES_OK is set");
}

/* Queue 0 at the addresses above, with the given vector; DRIVER_OK. */
static void setup_queue(uint16_t vector)
{
	memset(ram + DESC, 0, 0x3000);
	wr(COMMON(queue_select), 2, 0);
	wr(COMMON(queue_size), 2, QSIZE);
	wr(COMMON(queue_desc_lo), 4, DESC);
	wr(COMMON(queue_desc_hi), 4, 0);
	wr(COMMON(queue_avail_lo), 4, AVAIL);
	wr(COMMON(queue_avail_hi), 4, 0);
	wr(COMMON(queue_used_lo), 4, USED);
	wr(COMMON(queue_used_hi), 4, 0);
	wr(COMMON(queue_msix_vector), 2, vector);
	wr(COMMON(queue_enable), 2, 1);
	wr(COMMON(device_status), 1, 0x0f);
}

/* One 64-byte buffer for the device to fill, and the notify. */
static void request(uint64_t addr, uint32_t len)
{
	unsigned int i = avail()->idx % QSIZE;

	desc(i)->addr = addr;
	desc(i)->len = len;
	desc(i)->flags = VRING_DESC_F_WRITE;
	avail()->ring[i] = i;
	avail()->idx++;
	wr(BAR4 + 0x3000, 2, 0);
}

static bool nonzero(const uint8_t *p, size_t n)
{
	while (n--)
		if (*p++)
			return true;
	return false;
}

static void test_queue_intx(void)
{
	wr(COMMON(queue_select), 2, 0);
	is_int(rd(COMMON(queue_size), 2), 64, "queue 0 offers 64 entries");
	wr(COMMON(queue_select), 2, 1);
	is_int(rd(COMMON(queue_size), 2), 0, "queue 1 does not exist: size 0");
	wr(COMMON(queue_select), 2, 0);
	wr(COMMON(queue_size), 2, 12);
	is_int(rd(COMMON(queue_size), 2), 64, "a size of 12 is not taken");

	setup_queue(VIRTIO_PCI_NO_VECTOR);
	is_int(rd(COMMON(queue_enable), 2), 1, "queue 0 enabled");
	wr(COMMON(queue_desc_lo), 4, 0x5000);
	is_int(rd(COMMON(queue_desc_lo), 4), DESC,
	       "its addresses are fixed once enabled");
	request(BUF, 64);
	ok(used()->idx == 1 && used()->ring[0].len == 64 &&
	   nonzero(ram + BUF, 64), "the buffer came back full of random bytes");
	ok(fake_gsi_level(gsi), "INTA is up");
	is_int(rd(BAR4 + 0x1000, 1), VIRTIO_PCI_ISR_QUEUE_BIT, "the ISR says a queue");
	ok(!fake_gsi_level(gsi), "reading the ISR lowered INTA");
	is_int(rd(BAR4 + 0x1000, 1), 0, "and cleared it");
}

static void test_msix(void)
{
	unsigned int c = pci_cap_find(pci_find_device(&m, slot), PCI_CAP_ID_MSIX);

	wr(COMMON(device_status), 1, 0);
	is_int(rd(COMMON(device_status), 1), 0, "status 0: reset");
	is_int(rd(COMMON(queue_enable), 2), 0, "the queue is off after a reset");
	cfg_write(c + PCI_MSIX_FLAGS, 2, PCI_MSIX_FLAGS_ENABLE);
	/* Vectors 0 and 1, unmasked. */
	wr(BAR1 + 0, 4, 0xfee00000);
	wr(BAR1 + 8, 4, 0x41);
	wr(BAR1 + 12, 4, 0);
	wr(BAR1 + 16, 4, 0xfee00000);
	wr(BAR1 + 24, 4, 0x42);
	wr(BAR1 + 28, 4, 0);
	wr(COMMON(device_status), 1, 0x03);
	wr(COMMON(guest_feature_select), 4, 1);
	wr(COMMON(guest_feature), 4, 1);
	wr(COMMON(device_status), 1, 0x0b);
	wr(COMMON(msix_config), 2, 7);
	is_int(rd(COMMON(msix_config), 2), 0xffff,
	       "a configuration vector past the table: none");
	wr(COMMON(msix_config), 2, 1);
	is_int(rd(COMMON(msix_config), 2), 1, "configuration vector 1");
	setup_queue(0);
	wr(COMMON(queue_select), 2, 0);
	is_int(rd(COMMON(queue_msix_vector), 2), 0, "queue vector 0");
	msis = 0;
	request(BUF + 0x100, 32);
	ok(msis == 1 && last_msi_data == 0x41 && !fake_gsi_level(gsi),
	   "the request came back with MSI-X vector 0, not INTA");
}

static void test_needs_reset(void)
{
	msis = 0;
	request(RAM_SIZE + 0x1000, 32);		/* past guest RAM */
	ok(rd(COMMON(device_status), 1) & VIRTIO_CONFIG_S_NEEDS_RESET,
	   "a buffer outside RAM: DEVICE_NEEDS_RESET");
	ok(msis == 1 && last_msi_data == 0x42,
	   "with a configuration interrupt (vector 1)");
	msis = 0;
	request(BUF, 32);
	ok(msis == 0 && used()->idx == 1, "then the device takes nothing more");
	wr(COMMON(device_status), 1, 0x0f | VIRTIO_CONFIG_S_NEEDS_RESET);
	ok(rd(COMMON(device_status), 1) & VIRTIO_CONFIG_S_NEEDS_RESET,
	   "the driver cannot clear it but by a reset");
	wr(COMMON(device_status), 1, 0);
	is_int(rd(COMMON(device_status), 1), 0, "a reset clears it");
	wr(COMMON(device_status), 1, 0x03);
	wr(COMMON(guest_feature_select), 4, 1);
	wr(COMMON(guest_feature), 4, 1);
	wr(COMMON(device_status), 1, 0x0b);
	setup_queue(0);
	request(BUF, 16);
	ok(used()->idx == 1 && used()->ring[0].len == 16,
	   "set up again, the queue works");
}

/* What a guest may ask that the device does not do. */
static void test_limits(void)
{
	uint16_t before = used()->idx;

	wr(COMMON(device_status), 1, VIRTIO_CONFIG_S_ACKNOWLEDGE);
	is_int(rd(COMMON(device_status), 1), 0x0f,
	       "the driver cannot take status bits away");
	wr(BAR4 + 0x3000 + 4 * 5, 2, 5);
	wr(BAR4 + 0x3000 + 2, 2, 0);
	ok(used()->idx == before, "notifies of queue 5 and at 0x3002: nothing");
	/* 1 MiB asked: 64 KiB given, and said so. */
	memset(ram + 0x100000, 0, 0x100000);
	request(0x100000, 0x100000);
	ok(used()->idx == (uint16_t)(before + 1) &&
	   used()->ring[before % QSIZE].len == 0x10000 &&
	   nonzero(ram + 0x100000, 0x10000) &&
	   !nonzero(ram + 0x110000, 0xf0000),
	   "a 1 MiB buffer gets 64 KiB, and the used length says 64 KiB");
}

static void test_machine_reset(void)
{
	unsigned int c = pci_cap_find(pci_find_device(&m, slot), PCI_CAP_ID_MSIX);

	ok(rd(COMMON(device_status), 1) & VIRTIO_CONFIG_S_DRIVER_OK,
	   "DRIVER_OK before the machine reset");
	devices_reset(&m);
	ok(!(cfg_read(PCI_COMMAND, 2) & (PCI_COMMAND_MEMORY | PCI_COMMAND_MASTER)) &&
	   cfg_read(PCI_BASE_ADDRESS_4, 4) == 4 &&
	   !(cfg_read(c + PCI_MSIX_FLAGS, 2) & PCI_MSIX_FLAGS_ENABLE),
	   "a machine reset resets the PCI function: BARs, command, MSI-X");
	ok(rd(COMMON(num_queues), 2) != 1, "and BAR 4 is no longer decoded");
	program_bars();
	is_int(rd(COMMON(device_status), 1), 0,
	       "mapped again, the device is at status 0");
}

int main(void)
{
	setup();
	test_identity();
	test_features();
	test_queue_intx();
	test_msix();
	test_needs_reset();
	test_limits();
	test_machine_reset();
	devices_destroy(&m);
	free(ram);
	return tap_done();
}
