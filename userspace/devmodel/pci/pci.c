// SPDX-License-Identifier: GPL-2.0
/*
 * PCI bus 0: configuration space, BAR decoding and INTx routing.
 *
 * Every byte of a device's configuration space has a write mask (what
 * the guest may change) and a write-1-to-clear mask (status error bits);
 * a configuration write goes through them byte by byte, so writes of any
 * size and alignment within a dword behave alike, and BAR sizing needs no
 * special case: a BAR's mask covers only its address bits above its size,
 * so writing all ones reads back the size mask with the type bits (PCI
 * Local Bus Specification 3.0, 6.2.5.1 "Address Maps").  After a write
 * that touches the command register or a BAR, every BAR is brought to
 * where the guest wants it: registered on its bus while its decoding is
 * enabled (6.2.2 "Device Control") and its address non-zero, released
 * otherwise, moved when its address changed.
 *
 * A BAR that cannot be registered (it overlaps a platform device or
 * another BAR, or runs past the end of the port space) stays unmapped
 * until the guest moves it again, as a real device that loses decode
 * contention would be silent.
 *
 * The bus is the machine's (m->pci), made by the host bridge.
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <linux/pci_regs.h>

#include "le.h"
#include "../devstate.h"
#include "../irq.h"
#include "../machine.h"
#include "pci_msi.h"
#include "pci.h"

#define PCI_HEADER_SIZE		0x40
#define PCI_COMMAND_WMASK	(PCI_COMMAND_IO | PCI_COMMAND_MEMORY | \
				 PCI_COMMAND_MASTER | PCI_COMMAND_PARITY | \
				 PCI_COMMAND_SERR | PCI_COMMAND_INTX_DISABLE)
#define PCI_STATUS_W1C		(PCI_STATUS_PARITY | \
				 PCI_STATUS_SIG_TARGET_ABORT | \
				 PCI_STATUS_REC_TARGET_ABORT | \
				 PCI_STATUS_REC_MASTER_ABORT | \
				 PCI_STATUS_SIG_SYSTEM_ERROR | \
				 PCI_STATUS_DETECTED_PARITY)
#define PCI_IO_BAR_MAX		256
#define PCI_MEM_BAR_MIN		16
#define PCI_MEM32_BAR_MAX	(1ULL << 31)

struct pci_bus {
	struct machine *m;
	struct pci_device *slots[PCI_SLOTS];	/* set before the VM runs */
	/*
	 * Devices share GSIs, each under its own lock: the count of pins
	 * asserting each GSI has one of its own (a leaf but for the IOAPIC's,
	 * which gsi_set() takes inside it).
	 */
	pthread_mutex_t intx_lock;
	unsigned int gsi_users[PCI_IRQ_GSIS];	/* asserted pins per GSI */
};

static struct pci_bus *pci_bus_of(struct machine *m)
{
	return m ? m->pci : NULL;
}

int pci_bus_create(struct machine *m)
{
	struct pci_bus *bus = calloc(1, sizeof(*bus));

	if (!bus)
		return -ENOMEM;
	bus->m = m;
	pthread_mutex_init(&bus->intx_lock, NULL);
	m->pci = bus;
	return 0;
}

void pci_bus_destroy(struct machine *m)
{
	if (m->pci)
		pthread_mutex_destroy(&m->pci->intx_lock);
	free(m->pci);
	m->pci = NULL;
}

static bool is_pow2(uint64_t v)
{
	return v && !(v & (v - 1));
}

static bool pci_bar_valid(const struct pci_device *dev, unsigned int i)
{
	const struct pci_bar *b = &dev->bars[i];

	switch (b->type) {
	case PCI_BAR_NONE:
		return true;
	case PCI_BAR_IO:
		return b->pio_ops && is_pow2(b->size) && b->size >= 4 &&
		       b->size <= PCI_IO_BAR_MAX;
	case PCI_BAR_MEM32:
		return b->mmio_ops && is_pow2(b->size) &&
		       b->size >= PCI_MEM_BAR_MIN &&
		       b->size <= PCI_MEM32_BAR_MAX;
	case PCI_BAR_MEM64:
		/* The next BAR register is the upper half of this one. */
		return b->mmio_ops && is_pow2(b->size) &&
		       b->size >= PCI_MEM_BAR_MIN && i + 1 < PCI_BARS &&
		       dev->bars[i + 1].type == PCI_BAR_NONE;
	}
	return false;
}

static bool pci_device_valid(const struct pci_device *dev)
{
	unsigned int i;

	/*
	 * A device without a lock would be entered by every vCPU at once;
	 * only the host bridge, in slot 0, has none (pci.h).
	 */
	if (dev->irq_pin > 4 || (!dev->lock && dev->slot != 0))
		return false;
	for (i = 0; i < PCI_BARS; i++) {
		if (!pci_bar_valid(dev, i))
			return false;
		if (dev->bars[i].type == PCI_BAR_MEM64)
			i++;
	}
	return true;
}

unsigned int pci_irq_gsi(unsigned int slot, unsigned int pin)
{
	return PCI_IRQ_GSI_BASE + (slot + pin - 1) % PCI_IRQ_GSIS;
}

/* The BAR registers: type bits read-only, address bits above the size. */
static void pci_init_bars(struct pci_device *dev)
{
	unsigned int i;

	for (i = 0; i < PCI_BARS; i++) {
		const struct pci_bar *b = &dev->bars[i];
		unsigned int off = PCI_BASE_ADDRESS_0 + 4 * i;
		uint64_t mask = ~(b->size - 1);
		uint32_t flags = 0;

		switch (b->type) {
		case PCI_BAR_NONE:
			continue;
		case PCI_BAR_IO:
			/* 16-bit decode: the upper half is hardwired to 0. */
			le32_put(&dev->config[off], PCI_BASE_ADDRESS_SPACE_IO);
			le32_put(&dev->wmask[off], mask & 0xfffc);
			continue;
		case PCI_BAR_MEM64:
			flags = PCI_BASE_ADDRESS_MEM_TYPE_64;
			le32_put(&dev->wmask[off + 4], mask >> 32);
			break;
		default:
			break;
		}
		if (b->prefetchable)
			flags |= PCI_BASE_ADDRESS_MEM_PREFETCH;
		le32_put(&dev->config[off], flags);
		le32_put(&dev->wmask[off], mask & ~0xfULL);
		if (b->type == PCI_BAR_MEM64)
			i++;
	}
}

/*
 * The type 0 header.  A capability list the device built at 0x40 and
 * above survives: its pointer and status bit are kept.
 */
static void pci_init_header(struct pci_device *dev)
{
	uint8_t cap_ptr = dev->config[PCI_CAPABILITY_LIST];
	uint16_t cap = le16_get(&dev->config[PCI_STATUS]) & PCI_STATUS_CAP_LIST;
	uint8_t *c = dev->config;

	memset(c, 0, PCI_HEADER_SIZE);
	memset(dev->wmask, 0, PCI_HEADER_SIZE);
	memset(dev->w1cmask, 0, PCI_HEADER_SIZE);
	le16_put(&c[PCI_VENDOR_ID], dev->vendor_id);
	le16_put(&c[PCI_DEVICE_ID], dev->device_id);
	le16_put(&c[PCI_STATUS], cap);
	le32_put(&c[PCI_CLASS_REVISION], dev->class_code << 8 | dev->revision);
	c[PCI_HEADER_TYPE] = PCI_HEADER_TYPE_NORMAL;
	le16_put(&c[PCI_SUBSYSTEM_VENDOR_ID], dev->subsystem_vendor_id);
	le16_put(&c[PCI_SUBSYSTEM_ID], dev->subsystem_id);
	c[PCI_CAPABILITY_LIST] = cap ? cap_ptr : 0;
	c[PCI_INTERRUPT_PIN] = dev->irq_pin;
	/* What firmware would write: the GSI the pin reaches. */
	if (dev->irq_pin)
		c[PCI_INTERRUPT_LINE] = pci_irq_gsi(dev->slot, dev->irq_pin);

	le16_put(&dev->wmask[PCI_COMMAND], PCI_COMMAND_WMASK);
	le16_put(&dev->w1cmask[PCI_STATUS], PCI_STATUS_W1C);
	dev->wmask[PCI_CACHE_LINE_SIZE] = 0xff;
	dev->wmask[PCI_LATENCY_TIMER] = 0xff;
	dev->wmask[PCI_INTERRUPT_LINE] = 0xff;
	pci_init_bars(dev);
}

static int pci_pick_slot(struct pci_bus *bus, int want)
{
	int slot;

	if (want != PCI_SLOT_ANY) {
		if (want < 0 || want >= PCI_SLOTS)
			return -EINVAL;
		return bus->slots[want] ? -EBUSY : want;
	}
	/* Slot 0 is the host bridge's. */
	for (slot = 1; slot < PCI_SLOTS; slot++)
		if (!bus->slots[slot])
			return slot;
	return -ENOSPC;
}

int pci_register_device(struct machine *m, struct pci_device *dev)
{
	struct pci_bus *bus = pci_bus_of(m);
	int slot;

	if (!bus)
		return -ENODEV;
	if (!pci_device_valid(dev))
		return -EINVAL;
	slot = pci_pick_slot(bus, dev->slot);
	if (slot < 0)
		return slot;
	dev->m = m;
	dev->slot = slot;
	memset(dev->bar_mapped, 0, sizeof(dev->bar_mapped));
	dev->irq_level = false;
	dev->irq_asserted = false;
	pci_init_header(dev);
	memcpy(dev->config_reset, dev->config, PCI_CONFIG_SIZE);
	bus->slots[slot] = dev;
	return slot;
}

struct pci_device *pci_find_device(struct machine *m, unsigned int slot)
{
	struct pci_bus *bus = pci_bus_of(m);

	return bus && slot < PCI_SLOTS ? bus->slots[slot] : NULL;
}

static void pci_bar_unmap(struct pci_device *dev, unsigned int i);
static void pci_update_irq(struct pci_device *dev);

/* Release the BARs and the INTx pin: the guest sees nothing of dev. */
static void pci_quiesce(struct pci_device *dev)
{
	unsigned int i;

	for (i = 0; i < PCI_BARS; i++)
		pci_bar_unmap(dev, i);
	dev->irq_level = false;
	/* INTx disable set: pci_update_irq() releases a pin asserted. */
	dev->config[PCI_COMMAND + 1] |= PCI_COMMAND_INTX_DISABLE >> 8;
	pci_update_irq(dev);
}

void pci_device_reset(struct pci_device *dev)
{
	pci_quiesce(dev);
	memcpy(dev->config, dev->config_reset, PCI_CONFIG_SIZE);
	pci_msi_reset(dev);
}

void pci_unregister_device(struct pci_device *dev)
{
	struct pci_bus *bus = pci_bus_of(dev->m);

	pci_quiesce(dev);
	pci_msi_free(dev);
	if (bus && dev->slot >= 0 && dev->slot < PCI_SLOTS &&
	    bus->slots[dev->slot] == dev)
		bus->slots[dev->slot] = NULL;
}

static uint64_t pci_bar_address(const struct pci_device *dev, unsigned int i)
{
	const uint8_t *reg = &dev->config[PCI_BASE_ADDRESS_0 + 4 * i];
	uint32_t lo = le32_get(reg);

	switch (dev->bars[i].type) {
	case PCI_BAR_IO:
		return lo & PCI_BASE_ADDRESS_IO_MASK;
	case PCI_BAR_MEM64:
		return (lo & PCI_BASE_ADDRESS_MEM_MASK) |
		       (uint64_t)le32_get(reg + 4) << 32;
	default:
		return lo & PCI_BASE_ADDRESS_MEM_MASK;
	}
}

static void pci_bar_unmap(struct pci_device *dev, unsigned int i)
{
	if (!dev->bar_mapped[i])
		return;
	if (dev->bars[i].type == PCI_BAR_IO)
		bus_unregister(&dev->m->pio, dev->bar_base[i]);
	else
		bus_unregister(&dev->m->mmio, dev->bar_base[i]);
	dev->bar_mapped[i] = false;
	if (dev->bar_moved)
		dev->bar_moved(dev, i, false, dev->bar_base[i]);
}

static void pci_bar_map(struct pci_device *dev, unsigned int i, uint64_t addr)
{
	const struct pci_bar *b = &dev->bars[i];
	void *opaque = b->opaque ? b->opaque : dev->opaque;
	int err;

	if (b->type == PCI_BAR_IO) {
		if (addr + b->size > IOPORT_SPACE)
			return;
		err = bus_register(&dev->m->pio, addr, b->size, b->pio_ops,
				   opaque, dev->lock);
	} else {
		err = bus_register(&dev->m->mmio, addr, b->size, b->mmio_ops,
				   opaque, dev->lock);
	}
	if (err)
		return;
	dev->bar_mapped[i] = true;
	dev->bar_base[i] = addr;
	if (dev->bar_moved)
		dev->bar_moved(dev, i, true, addr);
}

static void pci_update_bars(struct pci_device *dev)
{
	uint16_t cmd = le16_get(&dev->config[PCI_COMMAND]);
	unsigned int i;

	for (i = 0; i < PCI_BARS; i++) {
		enum pci_bar_type type = dev->bars[i].type;
		uint64_t addr = pci_bar_address(dev, i);
		bool want;

		if (type == PCI_BAR_NONE)
			continue;
		want = addr && (type == PCI_BAR_IO ? cmd & PCI_COMMAND_IO :
				cmd & PCI_COMMAND_MEMORY);
		if (dev->bar_mapped[i] && (!want || dev->bar_base[i] != addr))
			pci_bar_unmap(dev, i);
		if (want && !dev->bar_mapped[i])
			pci_bar_map(dev, i, addr);
		if (type == PCI_BAR_MEM64)
			i++;
	}
}

/* Assert or release the GSI; pins sharing it are OR'd (wired-OR INTx#). */
static void pci_update_irq(struct pci_device *dev)
{
	uint16_t cmd = le16_get(&dev->config[PCI_COMMAND]);
	bool asserted = dev->irq_pin && dev->irq_level &&
			!(cmd & PCI_COMMAND_INTX_DISABLE);
	struct pci_bus *bus = dev->m->pci;
	unsigned int gsi, *users;

	if (asserted == dev->irq_asserted)
		return;
	dev->irq_asserted = asserted;
	gsi = pci_irq_gsi(dev->slot, dev->irq_pin);
	pthread_mutex_lock(&bus->intx_lock);
	users = &bus->gsi_users[gsi - PCI_IRQ_GSI_BASE];
	if (asserted) {
		if ((*users)++ == 0)
			gsi_set(dev->m, gsi, true);
	} else if (*users && --*users == 0) {
		gsi_set(dev->m, gsi, false);
	}
	pthread_mutex_unlock(&bus->intx_lock);
}

void pci_irq_set(struct pci_device *dev, bool level)
{
	uint16_t status;

	if (!dev->m || pci_bus_of(dev->m) == NULL)
		return;
	dev->irq_level = level;
	/* Status bit 3 shows the pin's state even while INTx is disabled. */
	status = le16_get(&dev->config[PCI_STATUS]) & ~PCI_STATUS_INTERRUPT;
	le16_put(&dev->config[PCI_STATUS],
	      status | (level ? PCI_STATUS_INTERRUPT : 0));
	pci_update_irq(dev);
}

static struct pci_device *pci_target(struct machine *m, unsigned int bus,
				     unsigned int slot, unsigned int fn,
				     unsigned int offset, unsigned int size)
{
	if (bus != 0 || fn != 0 || slot >= PCI_SLOTS ||
	    (size != 1 && size != 2 && size != 4) ||
	    offset + size > PCI_CONFIG_SIZE)
		return NULL;
	return pci_find_device(m, slot);
}

/* A device's configuration space is its state: under its lock. */
static void pci_lock(struct pci_device *dev)
{
	if (dev->lock)
		pthread_mutex_lock(dev->lock);
}

static void pci_unlock(struct pci_device *dev)
{
	if (dev->lock)
		pthread_mutex_unlock(dev->lock);
}

uint32_t pci_config_read(struct machine *m, unsigned int bus,
			 unsigned int slot, unsigned int fn,
			 unsigned int offset, unsigned int size)
{
	struct pci_device *dev = pci_target(m, bus, slot, fn, offset, size);
	uint32_t value = 0;
	unsigned int i;

	if (!dev)
		return size >= 4 ? 0xffffffff : (1u << (8 * size)) - 1;
	pci_lock(dev);
	for (i = 0; i < size; i++)
		value |= (uint32_t)dev->config[offset + i] << (8 * i);
	pci_unlock(dev);
	return value;
}

static bool touches(unsigned int offset, unsigned int size,
		    unsigned int start, unsigned int len)
{
	return offset < start + len && start < offset + size;
}

void pci_config_write(struct machine *m, unsigned int bus, unsigned int slot,
		      unsigned int fn, unsigned int offset, unsigned int size,
		      uint32_t value)
{
	struct pci_device *dev = pci_target(m, bus, slot, fn, offset, size);
	unsigned int i;

	if (!dev)
		return;
	pci_lock(dev);
	for (i = 0; i < size; i++) {
		unsigned int o = offset + i;
		uint8_t b = value >> (8 * i);
		uint8_t v = (dev->config[o] & ~dev->wmask[o]) |
			    (b & dev->wmask[o]);

		dev->config[o] = v & ~(b & dev->w1cmask[o]);
	}
	if (touches(offset, size, PCI_COMMAND, 2) ||
	    touches(offset, size, PCI_BASE_ADDRESS_0, 4 * PCI_BARS))
		pci_update_bars(dev);
	if (touches(offset, size, PCI_COMMAND, 2))
		pci_update_irq(dev);
	pci_msi_config_written(dev, offset, size);
	if (dev->config_write)
		dev->config_write(dev, offset, size, value);
	pci_unlock(dev);
}

void pci_device_save(struct pci_device *dev, struct devstate *ds)
{
	devstate_put_bytes(ds, "pci.config", dev->config, PCI_CONFIG_SIZE);
	devstate_put_u64(ds, "pci.irq_level", dev->irq_level);
	if (dev->msix) {
		devstate_put_bytes(ds, "pci.msix_table", dev->msix->table,
				   (size_t)dev->msix->nr * PCI_MSIX_ENTRY_SIZE);
		devstate_put_bytes(ds, "pci.msix_pba", dev->msix->pba,
				   (dev->msix->nr + 63) / 64 * 8);
	}
}

/* The table's vector control words have only the mask bit. */
static int msix_load(struct pci_device *dev, struct devstate *ds)
{
	struct pci_msix *x = dev->msix;
	size_t table_len = (size_t)x->nr * PCI_MSIX_ENTRY_SIZE;
	size_t pba_len = (x->nr + 63) / 64 * 8;
	uint8_t *table = malloc(table_len);
	uint64_t *pba = malloc(pba_len);
	unsigned int v;
	int err = -ENOMEM;

	if (table && pba) {
		err = devstate_get_bytes(ds, "pci.msix_table", table,
					 table_len);
		if (!err)
			err = devstate_get_bytes(ds, "pci.msix_pba", pba,
						 pba_len);
	}
	for (v = 0; !err && v < x->nr; v++)
		if (le32_get(&table[v * PCI_MSIX_ENTRY_SIZE + 12]) & ~1u)
			err = -EINVAL;
	if (!err && x->nr % 64 && (pba[x->nr / 64] >> (x->nr % 64)))
		err = -EINVAL;
	if (!err) {
		memcpy(x->table, table, table_len);
		memcpy(x->pba, pba, pba_len);
	}
	free(table);
	free(pba);
	return err;
}

/*
 * Only bits the guest could have written may differ from what the device
 * has now (its identity, BAR sizes and capabilities are the device's,
 * not the blob's).
 */
int pci_device_load(struct pci_device *dev, struct devstate *ds)
{
	uint8_t config[PCI_CONFIG_SIZE];
	unsigned int i;
	uint64_t level;
	int err;

	err = devstate_get_bytes(ds, "pci.config", config, sizeof(config));
	if (!err)
		err = devstate_get_u64(ds, "pci.irq_level", &level);
	if (err)
		return err;
	if (level > 1)
		return -EINVAL;
	for (i = 0; i < PCI_CONFIG_SIZE; i++) {
		uint8_t fixed = ~(dev->wmask[i] | dev->w1cmask[i]);

		/* The interrupt status follows the pin: set below. */
		if (i == PCI_STATUS)
			fixed &= ~PCI_STATUS_INTERRUPT;
		if ((config[i] ^ dev->config[i]) & fixed)
			return -EINVAL;
	}
	if (dev->msix) {
		err = msix_load(dev, ds);
		if (err)
			return err;
	}
	for (i = 0; i < PCI_BARS; i++)
		pci_bar_unmap(dev, i);
	memcpy(dev->config, config, sizeof(config));
	pci_update_bars(dev);
	pci_irq_set(dev, level);
	/* Pending MSI-X messages whose masks are off go out now. */
	if (dev->msix)
		pci_msi_config_written(dev, dev->msix_cap, 2);
	return 0;
}
