/* SPDX-License-Identifier: GPL-2.0 */
/*
 * PCI bus 0: devices, their configuration space and their BARs.
 *
 * A PCI device is a struct pci_device its file fills in (IDs, class,
 * interrupt pin, BARs with the bus callbacks that serve them) and hands to
 * pci_register_device() from its class's create(); the bus itself is
 * made at DEV_INIT_BUS by dev/pci_host.c, which also owns the
 * configuration mechanism at 0xCF8.  From then on the core owns the
 * device's configuration space: it builds the type 0 header (PCI Local
 * Bus Specification 3.0, 6.1 "Configuration Space Organization"),
 * protects read-only fields, answers BAR sizing, and registers each BAR
 * on m->pio or m->mmio at the address the guest programs while the
 * command register enables its decoding, moving it when the guest moves
 * it.  A device sees offsets within its BARs only, never addresses.
 *
 * Only function 0 of each slot exists.  Interrupt pins INTA-INTD of slot
 * s reach GSI 16 + ((s + pin - 1) % 8) (pin 1 = INTA), the swizzle of the
 * _PRT in the DSDT, and are level-triggered through gsi_set().
 */
#ifndef VIREO_PCI_H
#define VIREO_PCI_H

#include <pthread.h>
#include <stdbool.h>
#include <stdint.h>

#include "../bus.h"

struct machine;
struct pci_msix;

#define PCI_SLOTS		32
#define PCI_BARS		6
#define PCI_CONFIG_SIZE		256
#define PCI_SLOT_ANY		(-1)
#define PCI_IRQ_GSI_BASE	16
#define PCI_IRQ_GSIS		8

enum pci_bar_type {
	PCI_BAR_NONE = 0,
	PCI_BAR_IO,
	PCI_BAR_MEM32,
	PCI_BAR_MEM64,		/* takes this BAR and the next */
};

/*
 * What a device asks for in one BAR.  size is a power of two: 4 to 256
 * bytes of ports, at least 16 bytes of memory (at most 2 GiB for MEM32).
 * An I/O BAR is served by pio_ops, a memory BAR by mmio_ops; opaque is
 * passed to them (the device's own pointer when NULL).
 */
struct pci_bar {
	enum pci_bar_type type;
	uint64_t size;
	bool prefetchable;
	const struct bus_ops *pio_ops;
	const struct bus_ops *mmio_ops;
	void *opaque;
};

struct pci_device {
	/* Filled by the device before pci_register_device(). */
	const char *name;
	uint16_t vendor_id, device_id;
	uint16_t subsystem_vendor_id, subsystem_id;
	uint8_t revision;
	uint32_t class_code;	/* class << 16 | subclass << 8 | prog-if */
	uint8_t irq_pin;	/* 0: none, 1-4: INTA-INTD */
	struct pci_bar bars[PCI_BARS];
	int slot;		/* PCI_SLOT_ANY, or the slot it must have */
	void *opaque;		/* the device's own state */
	/*
	 * Its device's lock (devices.h): taken around configuration
	 * accesses and its BARs' callbacks.  NULL only for the host
	 * bridge in slot 0, whose configuration space the config ports
	 * reach already under its lock: pci_register_device() refuses
	 * any other device without one.
	 */
	pthread_mutex_t *lock;
	/*
	 * Optional: told of every configuration write, after the core has
	 * applied it.  Capabilities (MSI, MSI-X, a vendor's) are added
	 * before registering with pci_cap_add() and the helpers of
	 * pci_msi.h, which link them into the list.
	 */
	void (*config_write)(struct pci_device *dev, unsigned int offset,
			     unsigned int size, uint32_t value);
	/*
	 * Optional: BAR i is now decoded at base (mapped) or no longer
	 * (with the base it had): under the device's lock when the guest
	 * moves it, in destroy() when pci_unregister_device() unmaps it;
	 * virtio puts its queue notifications on kernel ioeventfds there.
	 */
	void (*bar_moved)(struct pci_device *dev, unsigned int i, bool mapped,
			  uint64_t base);

	/* Capabilities, MSI and MSI-X (pci_msi.h). */
	uint16_t cap_next;		/* where the next one goes; 0: 0x40 */
	uint8_t msi_cap, msix_cap;	/* their offsets, 0: none */
	struct pci_msix *msix;

	/* Owned by the PCI core from pci_register_device() on. */
	struct machine *m;
	uint8_t config[PCI_CONFIG_SIZE];
	uint8_t wmask[PCI_CONFIG_SIZE];		/* guest-writable bits */
	uint8_t w1cmask[PCI_CONFIG_SIZE];	/* bits it clears with a 1 */
	uint8_t config_reset[PCI_CONFIG_SIZE];	/* config at registration */
	bool bar_mapped[PCI_BARS];
	uint64_t bar_base[PCI_BARS];		/* where it is mapped */
	bool irq_level;		/* what the device drives on its pin */
	bool irq_asserted;	/* what reaches the GSI (INTx disable) */
};

/* Bus 0 of machine m (m->pci), made and freed by dev/pci_host.c. */
int pci_bus_create(struct machine *m);
void pci_bus_destroy(struct machine *m);

/*
 * Put dev on bus 0 of m, in dev->slot or the lowest free slot above 0.
 * Returns the slot, or -EINVAL (bad BARs or pin), -EBUSY (slot taken),
 * -ENOSPC (bus full), -ENODEV (no bus).
 */
int pci_register_device(struct machine *m, struct pci_device *dev);

/*
 * A machine reset: the BARs unmapped, the pin released, the header as at
 * registration (capabilities are the device's to reset).
 */
void pci_device_reset(struct pci_device *dev);
/*
 * The configuration space and pin level, for a PCI device class's save
 * and load (fields "pci.*"); load refuses a blob that differs from dev in
 * a bit the guest cannot write, and maps the BARs it enables.
 */
struct devstate;
void pci_device_save(struct pci_device *dev, struct devstate *ds);
int pci_device_load(struct pci_device *dev, struct devstate *ds);

/* Take dev off the bus (its class's destroy()). */
void pci_unregister_device(struct pci_device *dev);

/* The device in a slot of bus 0, or NULL. */
struct pci_device *pci_find_device(struct machine *m, unsigned int slot);

/*
 * Configuration cycles, as a host bridge forwards them: bus, device
 * (slot), function and register offset, size 1, 2 or 4 within a dword.
 * Nothing answers for an absent device, which reads as all ones.
 */
uint32_t pci_config_read(struct machine *m, unsigned int bus,
			 unsigned int slot, unsigned int fn,
			 unsigned int offset, unsigned int size);
void pci_config_write(struct machine *m, unsigned int bus, unsigned int slot,
		      unsigned int fn, unsigned int offset, unsigned int size,
		      uint32_t value);

/* Drive the device's INTx pin (level-triggered, shared GSIs OR'd). */
void pci_irq_set(struct pci_device *dev, bool level);

/* The GSI a slot's pin (1-4) is wired to. */
unsigned int pci_irq_gsi(unsigned int slot, unsigned int pin);

#endif /* VIREO_PCI_H */
