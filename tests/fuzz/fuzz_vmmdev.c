// SPDX-License-Identifier: GPL-2.0
/*
 * VMMDev's request parser and HGCM parameter decoding under libFuzzer
 * (with AddressSanitizer and UBSan): the input is a request, written into
 * the guest's RAM at REQ and, repeated, over the data pages its
 * parameters may point at; the device is then asked to handle it through
 * its port, as a guest would, twice (the second time finds kept calls),
 * with a host property change between (which completes kept waits).
 * The first byte picks how far the guest got first: nothing, its info
 * reported, or also connected to the guest property service.  Anything
 * the device reads or writes outside the guest's RAM, or any undefined
 * behaviour, is a crash.
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <linux/pci_regs.h>

#include <vmmdev/guestprop.h>
#include <vmmdev/vmmdev.h>

#include "additions.h"
#include "devices.h"
#include "fake_platform.h"
#include "guest_mem.h"
#include "machine.h"
#include "pci/pci.h"

#define RAM_SIZE	(1u << 20)
#define BAR0		0xc000u
#define REQ		0x1000u
#define DATA		0x40000u

static struct machine m;
static struct guest_mem gm;
static uint8_t *ram;
static unsigned int slot;

static void no_exit(struct machine *mm, int status)
{
}

static void program_bars(void)
{
	pci_config_write(&m, 0, slot, 0, PCI_BASE_ADDRESS_0, 4, BAR0);
	pci_config_write(&m, 0, slot, 0, PCI_BASE_ADDRESS_1, 4, 0xe0000000);
	pci_config_write(&m, 0, slot, 0, PCI_COMMAND, 2,
			 PCI_COMMAND_IO | PCI_COMMAND_MEMORY);
}

static void setup(void)
{
	unsigned int s;

	/* RAM exactly as large as the guest's: ASan catches a byte past. */
	ram = malloc(RAM_SIZE);
	gm.nr = 1;
	gm.r[0] = (struct guest_mem_region) { 0, RAM_SIZE, ram, true };
	machine_init(&m, -1);
	m.request_exit = no_exit;
	m.evloop = fake_evloop();
	m.mem = &gm;
	m.ram_size = RAM_SIZE;
	if (devices_init(&m, NULL))
		abort();
	for (s = 0; s < PCI_SLOTS; s++)
		if (pci_config_read(&m, 0, s, 0, PCI_VENDOR_ID, 4) ==
		    ((uint32_t)VMMDEV_DEVICE_ID << 16 | VMMDEV_VENDOR_ID))
			break;
	slot = s;
}

static void submit(uint32_t gpa)
{
	bus_write(&m.pio, BAR0, 4, gpa);
}

static void prologue(unsigned int how)
{
	struct vmmdev_guest_info *gi = (void *)(ram + REQ);
	struct vmmdev_hgcm_connect *c = (void *)(ram + REQ);

	if (how < 1)
		return;
	memset(gi, 0, sizeof(*gi));
	gi->header = (struct vmmdev_header) {
		sizeof(*gi), VMMDEV_REQUEST_VERSION,
		VMMDEV_REQ_REPORT_GUEST_INFO, -1, 0, 0 };
	gi->interface_version = VMMDEV_VERSION;
	submit(REQ);
	if (how < 2)
		return;
	memset(c, 0, sizeof(*c));
	c->hdr.header = (struct vmmdev_header) {
		sizeof(*c), VMMDEV_REQUEST_VERSION, VMMDEV_REQ_HGCM_CONNECT,
		-1, 0, 0 };
	c->loc_type = VMMDEV_HGCM_LOC_LOCALHOST_EXISTING;
	strcpy(c->service, GUESTPROP_SERVICE);
	submit(REQ);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	size_t n, off;

	if (!ram)
		setup();
	if (size < 1)
		return 0;
	devices_reset(&m);
	program_bars();
	memset(ram, 0, RAM_SIZE);
	prologue(data[0] % 3);
	data++;
	size--;
	n = size < RAM_SIZE - REQ ? size : RAM_SIZE - REQ;
	memcpy(ram + REQ, data, n);
	for (off = DATA; n && off + n <= RAM_SIZE && off < DATA + 0x20000;
	     off += 0x1000)
		memcpy(ram + off, data, n);
	submit(REQ);
	m.additions->prop_set(m.additions_opaque, "/Fuzz/Change", "1", NULL,
			      0, NULL, 0);
	submit(REQ);
	bus_read(&m.pio, BAR0 + 8, 4, &(uint64_t){0});
	return 0;
}
