// SPDX-License-Identifier: GPL-2.0
/*
 * Capabilities list, MSI and MSI-X (pci_msi.h).  Register layouts: PCI
 * Local Bus Specification 3.0, 6.7 (the list), 6.8.1 (MSI capability
 * structure, 64-bit, no per-vector masking), 6.8.2 (MSI-X capability,
 * table and pending-bit array).  Message address and data: Intel SDM Vol.
 * 3A 11.11 "Message Signalled Interrupts".
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <linux/pci_regs.h>

#include "le.h"
#include "../machine.h"
#include "pci_msi.h"

#define CAP_FIRST	0x40
#define MSI_CAP_SIZE	16	/* 14 bytes, dword-aligned */
#define MSIX_CAP_SIZE	12
#define MSIX_TABLE_SIZE_MASK	0x07ff
#define MSIX_ENTRY_ADDR_LO	0
#define MSIX_ENTRY_ADDR_HI	4
#define MSIX_ENTRY_DATA		8
#define MSIX_ENTRY_CTRL		12
#define MSIX_ENTRY_MASKED	1u
#define MSI_ADDRESS_APIC	0xfee	/* bits 31:20 of an interrupt message */

int pci_cap_add(struct pci_device *dev, uint8_t id, unsigned int size)
{
	unsigned int at = dev->cap_next ? dev->cap_next : CAP_FIRST, last;

	size = (size + 3) & ~3u;
	if (size < 4 || at + size > PCI_CONFIG_SIZE)
		return -ENOSPC;
	memset(&dev->config[at], 0, size);
	memset(&dev->wmask[at], 0, size);
	dev->config[at + PCI_CAP_LIST_ID] = id;
	dev->config[at + PCI_CAP_LIST_NEXT] = 0;
	/* Append: the guest finds them in the order they were added. */
	if (!(le16_get(&dev->config[PCI_STATUS]) & PCI_STATUS_CAP_LIST)) {
		dev->config[PCI_CAPABILITY_LIST] = at;
		le16_put(&dev->config[PCI_STATUS],
		      le16_get(&dev->config[PCI_STATUS]) | PCI_STATUS_CAP_LIST);
	} else {
		for (last = dev->config[PCI_CAPABILITY_LIST];
		     dev->config[last + PCI_CAP_LIST_NEXT];
		     last = dev->config[last + PCI_CAP_LIST_NEXT])
			;
		dev->config[last + PCI_CAP_LIST_NEXT] = at;
	}
	dev->cap_next = at + size;
	return at;
}

unsigned int pci_cap_find(const struct pci_device *dev, uint8_t id)
{
	unsigned int at, hops = 0;

	if (!(le16_get(&dev->config[PCI_STATUS]) & PCI_STATUS_CAP_LIST))
		return 0;
	/* At most 48 capabilities fit: a loop cannot go on past that. */
	for (at = dev->config[PCI_CAPABILITY_LIST] & ~3u; at && hops < 48;
	     at = dev->config[at + PCI_CAP_LIST_NEXT] & ~3u, hops++)
		if (dev->config[at + PCI_CAP_LIST_ID] == id)
			return at;
	return 0;
}

/* MSI. */

int pci_msi_add(struct pci_device *dev, unsigned int nr_vectors)
{
	unsigned int mmc = 0;
	int at;

	if (nr_vectors == 0 || nr_vectors > 32 ||
	    (nr_vectors & (nr_vectors - 1)))
		return -EINVAL;
	while ((1u << mmc) < nr_vectors)
		mmc++;
	at = pci_cap_add(dev, PCI_CAP_ID_MSI, MSI_CAP_SIZE);
	if (at < 0)
		return at;
	dev->msi_cap = at;
	le16_put(&dev->config[at + PCI_MSI_FLAGS],
	      PCI_MSI_FLAGS_64BIT | mmc << 1);
	/* Enable and multiple message enable; address and data. */
	le16_put(&dev->wmask[at + PCI_MSI_FLAGS],
	      PCI_MSI_FLAGS_ENABLE | PCI_MSI_FLAGS_QSIZE);
	le32_put(&dev->wmask[at + PCI_MSI_ADDRESS_LO], 0xfffffffc);
	le32_put(&dev->wmask[at + PCI_MSI_ADDRESS_HI], 0xffffffff);
	le16_put(&dev->wmask[at + PCI_MSI_DATA_64], 0xffff);
	return 0;
}

bool pci_msi_enabled(const struct pci_device *dev)
{
	return dev->msi_cap &&
	       (le16_get(&dev->config[dev->msi_cap + PCI_MSI_FLAGS]) &
		PCI_MSI_FLAGS_ENABLE);
}

/* Only messages to the local APICs are sent; others go nowhere. */
static bool send(struct pci_device *dev, uint64_t address, uint32_t data)
{
	struct machine *m = dev->m;

	if ((address >> 20) != MSI_ADDRESS_APIC || !m || !m->signal_msi)
		return false;
	return m->signal_msi(m, address, data) >= 0;
}

static bool msi_send(struct pci_device *dev, unsigned int vector)
{
	const uint8_t *c = &dev->config[dev->msi_cap];
	uint16_t flags = le16_get(c + PCI_MSI_FLAGS);
	unsigned int mmc = (flags & PCI_MSI_FLAGS_QMASK) >> 1;
	unsigned int mme = (flags & PCI_MSI_FLAGS_QSIZE) >> 4;
	unsigned int n = 1u << (mme < mmc ? mme : mmc);
	uint64_t address;
	uint16_t data;

	if (vector >= n)
		return false;
	address = le32_get(c + PCI_MSI_ADDRESS_LO) |
		  (uint64_t)le32_get(c + PCI_MSI_ADDRESS_HI) << 32;
	/* With n vectors the low log2(n) bits of data name the vector. */
	data = (le16_get(c + PCI_MSI_DATA_64) & ~(n - 1)) | vector;
	send(dev, address, data);
	return true;
}

/* MSI-X. */

static unsigned int pba_words(unsigned int nr)
{
	return (nr + 63) / 64;
}

int pci_msix_add(struct pci_device *dev, unsigned int nr, unsigned int bar,
		 uint32_t table_offset, uint32_t pba_offset)
{
	uint64_t table_end = table_offset + (uint64_t)nr * PCI_MSIX_ENTRY_SIZE;
	uint64_t pba_end = pba_offset + (uint64_t)pba_words(nr) * 8;
	struct pci_msix *x;
	unsigned int i;
	int at;

	if (nr == 0 || nr > PCI_MSIX_MAX || bar >= PCI_BARS ||
	    (table_offset & 7) || (pba_offset & 7) ||
	    (dev->bars[bar].type != PCI_BAR_MEM32 &&
	     dev->bars[bar].type != PCI_BAR_MEM64) ||
	    table_end > dev->bars[bar].size || pba_end > dev->bars[bar].size ||
	    (table_offset < pba_end && pba_offset < table_end))
		return -EINVAL;
	x = calloc(1, sizeof(*x));
	if (!x)
		return -ENOMEM;
	x->table = calloc(nr, PCI_MSIX_ENTRY_SIZE);
	x->pba = calloc(pba_words(nr), sizeof(uint64_t));
	if (!x->table || !x->pba) {
		free(x->table);
		free(x->pba);
		free(x);
		return -ENOMEM;
	}
	at = pci_cap_add(dev, PCI_CAP_ID_MSIX, MSIX_CAP_SIZE);
	if (at < 0) {
		free(x->table);
		free(x->pba);
		free(x);
		return at;
	}
	x->nr = nr;
	x->bar = bar;
	x->table_offset = table_offset;
	x->pba_offset = pba_offset;
	for (i = 0; i < nr; i++)
		le32_put(&x->table[i * PCI_MSIX_ENTRY_SIZE + MSIX_ENTRY_CTRL],
		      MSIX_ENTRY_MASKED);
	dev->msix = x;
	dev->msix_cap = at;
	le16_put(&dev->config[at + PCI_MSIX_FLAGS], nr - 1);
	le32_put(&dev->config[at + PCI_MSIX_TABLE], table_offset | bar);
	le32_put(&dev->config[at + PCI_MSIX_PBA], pba_offset | bar);
	le16_put(&dev->wmask[at + PCI_MSIX_FLAGS],
	      PCI_MSIX_FLAGS_ENABLE | PCI_MSIX_FLAGS_MASKALL);
	return 0;
}

static uint16_t msix_flags(const struct pci_device *dev)
{
	return le16_get(&dev->config[dev->msix_cap + PCI_MSIX_FLAGS]);
}

bool pci_msix_enabled(const struct pci_device *dev)
{
	return dev->msix && (msix_flags(dev) & PCI_MSIX_FLAGS_ENABLE);
}

static bool msix_masked(const struct pci_device *dev, unsigned int v)
{
	const uint8_t *e = &dev->msix->table[v * PCI_MSIX_ENTRY_SIZE];

	return (msix_flags(dev) & PCI_MSIX_FLAGS_MASKALL) ||
	       (le32_get(e + MSIX_ENTRY_CTRL) & MSIX_ENTRY_MASKED);
}

static void msix_send(struct pci_device *dev, unsigned int v)
{
	const uint8_t *e = &dev->msix->table[v * PCI_MSIX_ENTRY_SIZE];

	send(dev, le32_get(e + MSIX_ENTRY_ADDR_LO) |
		  (uint64_t)le32_get(e + MSIX_ENTRY_ADDR_HI) << 32,
	     le32_get(e + MSIX_ENTRY_DATA));
}

/* Send what is pending and no longer masked (6.8.2.9). */
static void msix_deliver_pending(struct pci_device *dev)
{
	struct pci_msix *x = dev->msix;
	unsigned int v;

	if (!pci_msix_enabled(dev) ||
	    (msix_flags(dev) & PCI_MSIX_FLAGS_MASKALL))
		return;
	for (v = 0; v < x->nr; v++) {
		uint64_t bit = 1ULL << (v % 64);

		if (!(x->pba[v / 64] & bit) || msix_masked(dev, v))
			continue;
		x->pba[v / 64] &= ~bit;
		msix_send(dev, v);
	}
}

/* Aligned dwords and qwords only (6.8.2): anything else is dropped. */
static bool msix_access_ok(uint64_t offset, unsigned int size, uint64_t len)
{
	return (size == 4 || size == 8) && !(offset & (size - 1)) &&
	       size <= len && offset <= len - size;
}

uint64_t pci_msix_table_read(struct pci_device *dev, uint64_t offset,
			     unsigned int size)
{
	struct pci_msix *x = dev->msix;
	uint64_t v = 0;

	if (!x || !msix_access_ok(offset, size,
				  (uint64_t)x->nr * PCI_MSIX_ENTRY_SIZE))
		return ~0ULL;
	memcpy(&v, &x->table[offset], size);
	return v;
}

void pci_msix_table_write(struct pci_device *dev, uint64_t offset,
			  unsigned int size, uint64_t value)
{
	struct pci_msix *x = dev->msix;
	unsigned int i;

	if (!x || !msix_access_ok(offset, size,
				  (uint64_t)x->nr * PCI_MSIX_ENTRY_SIZE))
		return;
	for (i = 0; i < size; i += 4) {
		uint64_t o = offset + i;
		uint32_t v = value >> (8 * i);

		/* Vector control: only the mask bit exists. */
		if (o % PCI_MSIX_ENTRY_SIZE == MSIX_ENTRY_CTRL)
			v &= MSIX_ENTRY_MASKED;
		le32_put(&x->table[o], v);
	}
	msix_deliver_pending(dev);
}

uint64_t pci_msix_pba_read(struct pci_device *dev, uint64_t offset,
			   unsigned int size)
{
	struct pci_msix *x = dev->msix;
	uint64_t v;

	if (!x || !msix_access_ok(offset, size, pba_words(x->nr) * 8))
		return ~0ULL;
	v = x->pba[offset / 8];
	return size == 8 ? v : (uint32_t)(v >> (8 * (offset % 8)));
}

bool pci_msi_notify(struct pci_device *dev, unsigned int vector)
{
	struct pci_msix *x = dev->msix;

	if (pci_msix_enabled(dev)) {
		if (vector >= x->nr)
			return false;
		if (msix_masked(dev, vector))
			x->pba[vector / 64] |= 1ULL << (vector % 64);
		else
			msix_send(dev, vector);
		return true;
	}
	if (pci_msi_enabled(dev))
		return msi_send(dev, vector);
	return false;
}

void pci_msi_config_written(struct pci_device *dev, unsigned int offset,
			    unsigned int size)
{
	if (dev->msix && offset < dev->msix_cap + MSIX_CAP_SIZE + 0u &&
	    dev->msix_cap < offset + size)
		msix_deliver_pending(dev);
}

void pci_msi_reset(struct pci_device *dev)
{
	struct pci_msix *x = dev->msix;
	unsigned int i;

	/* Enables and masks are config bytes: the caller rewrites those. */
	if (!x)
		return;
	memset(x->table, 0, (size_t)x->nr * PCI_MSIX_ENTRY_SIZE);
	for (i = 0; i < x->nr; i++)
		le32_put(&x->table[i * PCI_MSIX_ENTRY_SIZE + MSIX_ENTRY_CTRL],
		      MSIX_ENTRY_MASKED);
	memset(x->pba, 0, pba_words(x->nr) * sizeof(uint64_t));
}

void pci_msi_free(struct pci_device *dev)
{
	if (!dev->msix)
		return;
	free(dev->msix->table);
	free(dev->msix->pba);
	free(dev->msix);
	dev->msix = NULL;
}
