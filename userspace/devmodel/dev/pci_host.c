// SPDX-License-Identifier: GPL-2.0
/*
 * The PCI host bridge: configuration mechanism #1 at 0xCF8-0xCFF (PCI
 * Local Bus Specification 3.0, 3.2.2.3.2 "Software Generation of
 * Configuration Transactions") and the bridge's own function at 00:00.0.
 *
 * The bridge is an Intel 440FX PMC (8086:1237, the "82441FX"), the host
 * bridge of the PIIX3 PCs that QEMU, VirtualBox and Bochs emulate.  Every
 * PC operating system knows it and has carried its quirks for decades:
 * Linux's direct PCI probe accepts a bus with an Intel host bridge, and
 * the only quirk keyed to 8086:1237 (quirk_natoma) sets a flag that
 * limits direct PCI-to-PCI transfers, which only some video capture
 * drivers read.  A made-up ID would buy nothing, and vendor IDs are not
 * ours to make up.
 *
 * Who owns 0xCF9.  On a PIIX or ICH chipset CONFIG_ADDRESS is latched
 * only by a dword access at 0xCF8; any other access to 0xCF8-0xCFB is,
 * per 3.2.2.3.2, "executed as normal I/O" and goes on to the PCI/ISA
 * bridge, whose reset control register decodes 0xCF9 (byte accesses, as
 * Linux's reboot=pci and the FADT's RESET_REG make).  The host bridge
 * sees the access first, so it claims 0xCF8-0xCFB here and passes
 * non-dword bytes at 0xCF9 to pc_reset_port_read()/write() of
 * dev/acpi_pm.c, which keeps that register with the rest of the
 * southbridge's power-management hardware; other such bytes are unclaimed
 * (read 0xFF, writes dropped).
 */
#include <errno.h>
#include <stdlib.h>
#include <linux/pci_regs.h>

#include "../devices.h"
#include "../devstate.h"
#include "../bus.h"
#include "../machine.h"
#include "../pc_layout.h"
#include "../pci/pci.h"
#include "acpi_pm.h"

#define PCI_HOST_PORTS		8
#define PCI_HOST_DATA		4	/* 0xCFC - 0xCF8 */
#define PCI_RESET_OFFSET	(PC_RESET_PORT - PC_PCI_CONFIG)

/* CONFIG_ADDRESS: enable, bus, device, function, dword register. */
#define CFG_ENABLE		0x80000000u
/* Bits 30:24 are reserved and 1:0 always read 0. */
#define CFG_WRITABLE		0x80fffffcu
#define CFG_BUS(a)		(((a) >> 16) & 0xff)
#define CFG_SLOT(a)		(((a) >> 11) & 0x1f)
#define CFG_FN(a)		(((a) >> 8) & 0x07)
#define CFG_REG(a)		((a) & 0xfc)

#define I440FX_VENDOR		0x8086
#define I440FX_DEVICE		0x1237
#define I440FX_REVISION		0x02
#define CLASS_HOST_BRIDGE	0x060000

struct pci_host {
	struct machine *m;
	uint32_t address;
	struct pci_device bridge;
};

static uint32_t pci_host_data_read(struct pci_host *h, unsigned int offset,
				   unsigned int size)
{
	uint32_t a = h->address;

	if (!(a & CFG_ENABLE))
		return size >= 4 ? 0xffffffff : (1u << (8 * size)) - 1;
	return pci_config_read(h->m, CFG_BUS(a), CFG_SLOT(a), CFG_FN(a),
			       CFG_REG(a) + offset, size);
}

static void pci_host_data_write(struct pci_host *h, unsigned int offset,
				unsigned int size, uint32_t value)
{
	uint32_t a = h->address;

	if (a & CFG_ENABLE)
		pci_config_write(h->m, CFG_BUS(a), CFG_SLOT(a), CFG_FN(a),
				 CFG_REG(a) + offset, size, value);
}

/* A byte of 0xCF8-0xCFB that is not part of a dword access. */
static uint8_t pci_host_passthrough_read(struct pci_host *h,
					 unsigned int offset)
{
	if (offset == PCI_RESET_OFFSET)
		return pc_reset_port_read(h->m);
	return 0xff;
}

static void pci_host_passthrough_write(struct pci_host *h,
				       unsigned int offset, uint8_t v)
{
	if (offset == PCI_RESET_OFFSET)
		pc_reset_port_write(h->m, v);
}

static uint64_t pci_host_read(void *opaque, uint64_t offset,
			      unsigned int size)
{
	struct pci_host *h = opaque;
	uint32_t value = 0;
	unsigned int i;

	if (offset == 0 && size == 4)
		return h->address;
	if (offset >= PCI_HOST_DATA)
		return pci_host_data_read(h, offset - PCI_HOST_DATA, size);
	/* Starts below 0xCFC but is no dword at 0xCF8: byte by byte. */
	for (i = 0; i < size; i++) {
		unsigned int o = offset + i;
		uint8_t b = o < PCI_HOST_DATA ?
			    pci_host_passthrough_read(h, o) :
			    pci_host_data_read(h, o - PCI_HOST_DATA, 1);

		value |= (uint32_t)b << (8 * i);
	}
	return value;
}

static void pci_host_write(void *opaque, uint64_t offset, unsigned int size,
			   uint64_t value)
{
	struct pci_host *h = opaque;
	unsigned int i;

	if (offset == 0 && size == 4) {
		h->address = value & CFG_WRITABLE;
		return;
	}
	if (offset >= PCI_HOST_DATA) {
		pci_host_data_write(h, offset - PCI_HOST_DATA, size, value);
		return;
	}
	for (i = 0; i < size; i++) {
		unsigned int o = offset + i;
		uint8_t b = value >> (8 * i);

		if (o < PCI_HOST_DATA)
			pci_host_passthrough_write(h, o, b);
		else
			pci_host_data_write(h, o - PCI_HOST_DATA, 1, b);
	}
}

static const struct bus_ops pci_host_ops = {
	.read = pci_host_read,
	.write = pci_host_write,
};

/* The 440FX's PCICMD resets to memory and bus-master enabled. */
static void pci_host_power_on(struct pci_host *h)
{
	h->bridge.config[PCI_COMMAND] = PCI_COMMAND_MEMORY | PCI_COMMAND_MASTER;
}

static void pci_host_reset(struct device *dev)
{
	struct pci_host *h = dev->state;

	h->address = 0;
	pci_device_reset(&h->bridge);
	pci_host_power_on(h);
}

static int pci_host_create(struct device *dev, const struct dev_opts *opts,
			   char *why, size_t why_len)
{
	struct machine *m = dev->m;
	struct pci_host *h = calloc(1, sizeof(*h));
	int err;

	if (!h)
		return -ENOMEM;
	h->m = m;
	err = pci_bus_create(m);
	if (err)
		goto err_free;
	h->bridge = (struct pci_device) {
		.name = "i440FX host bridge",
		.vendor_id = I440FX_VENDOR,
		.device_id = I440FX_DEVICE,
		.revision = I440FX_REVISION,
		.class_code = CLASS_HOST_BRIDGE,
		.slot = 0,
		.opaque = h,
	};
	err = pci_register_device(m, &h->bridge);
	if (err < 0)
		goto err_bus;
	pci_host_power_on(h);
	err = bus_register(&m->pio, PC_PCI_CONFIG, PCI_HOST_PORTS,
			   &pci_host_ops, h, &dev->lock);
	if (err)
		goto err_bus;
	dev->state = h;
	return 0;

err_bus:
	pci_bus_destroy(m);
err_free:
	free(h);
	return err;
}

static void pci_host_destroy(struct device *dev)
{
	struct pci_host *h = dev->state;

	bus_unregister(&dev->m->pio, PC_PCI_CONFIG);
	pci_unregister_device(&h->bridge);
	pci_bus_destroy(dev->m);
	free(h);
}

static int pci_host_save(struct device *dev, struct devstate *ds)
{
	struct pci_host *h = dev->state;

	devstate_put_u64(ds, "address", h->address);
	pci_device_save(&h->bridge, ds);
	return 0;
}

static int pci_host_load(struct device *dev, struct devstate *ds,
			 uint32_t version)
{
	struct pci_host *h = dev->state;
	uint64_t address;
	int err;

	err = devstate_get_u64(ds, "address", &address);
	if (err)
		return err;
	if (address > UINT32_MAX)
		return -EINVAL;
	err = pci_device_load(&h->bridge, ds);
	if (err)
		return err;
	h->address = address;
	return 0;
}

static const struct dev_class pci_host_class = {
	.name = "pci-host",
	.desc = "PCI host bridge (i440FX 8086:1237), configuration at 0xCF8-0xCFF",
	.level = DEV_INIT_BUS,
	.is_default = true,
	.create = pci_host_create,
	.reset = pci_host_reset,
	.state_version = 1,
	.save = pci_host_save,
	.load = pci_host_load,
	.destroy = pci_host_destroy,
};
DEVICE_CLASS(pci_host_class);
