/* SPDX-License-Identifier: GPL-2.0 */
/*
 * PCI capabilities, MSI and MSI-X, for devices on the PCI core (pci.h).
 *
 * A device adds its capabilities before pci_register_device(): each one is
 * placed in configuration space from 0x40 up and linked into the list the
 * guest walks (PCI Local Bus Specification 3.0, 6.7 "Capabilities List").
 * MSI (6.8.1) and MSI-X (6.8.2) then deliver the device's interrupts as
 * messages through machine->signal_msi (VIREO_SIGNAL_MSI), in place of its
 * INTx pin once the guest enables them.
 *
 * MSI-X's table and pending-bit array live in one of the device's memory
 * BARs: the device's BAR callbacks hand accesses in their ranges to
 * pci_msix_table_read/write() and pci_msix_pba_read().  Entries start
 * masked; a message for a masked entry, or while the function is masked,
 * sets its pending bit, and is sent when the mask is lifted.
 */
#ifndef VIREO_PCI_MSI_H
#define VIREO_PCI_MSI_H

#include <stdbool.h>
#include <stdint.h>

#include "pci.h"

/*
 * Reserve size bytes (at least 2, dword-aligned) for capability id and
 * link it in: the offset (0x40 and above), or -ENOSPC.  config[] holds the
 * ID and the next pointer; the rest, and wmask[], are the caller's.
 */
int pci_cap_add(struct pci_device *dev, uint8_t id, unsigned int size);
/* The offset of capability id, or 0 (for tests and the guest's view). */
unsigned int pci_cap_find(const struct pci_device *dev, uint8_t id);

/* MSI with 64-bit addresses and 1 to 32 vectors (a power of two). */
int pci_msi_add(struct pci_device *dev, unsigned int nr_vectors);
bool pci_msi_enabled(const struct pci_device *dev);

#define PCI_MSIX_MAX		2048
#define PCI_MSIX_ENTRY_SIZE	16

struct pci_msix {
	unsigned int nr;		/* table entries */
	unsigned int bar;		/* the BAR holding table and PBA */
	uint32_t table_offset, pba_offset;	/* within that BAR */
	uint8_t *table;		/* nr * 16 bytes, as the guest sees them */
	uint64_t *pba;		/* (nr + 63) / 64 words */
};

/*
 * MSI-X with nr entries, the table at table_offset and the PBA at
 * pba_offset of BAR bar (both 8-byte aligned, within the BAR, not
 * overlapping: the caller sizes the BAR).  0, -EINVAL or -ENOMEM.
 */
int pci_msix_add(struct pci_device *dev, unsigned int nr, unsigned int bar,
		 uint32_t table_offset, uint32_t pba_offset);
bool pci_msix_enabled(const struct pci_device *dev);

/* For the BAR's callbacks: offsets within the table or the PBA. */
uint64_t pci_msix_table_read(struct pci_device *dev, uint64_t offset,
			     unsigned int size);
void pci_msix_table_write(struct pci_device *dev, uint64_t offset,
			  unsigned int size, uint64_t value);
uint64_t pci_msix_pba_read(struct pci_device *dev, uint64_t offset,
			   unsigned int size);

/*
 * Signal interrupt vector of dev: by MSI-X when enabled (sent, or pending
 * while masked), else by MSI when enabled.  false when neither is enabled
 * (the device then uses its INTx pin) or vector is out of range.
 */
bool pci_msi_notify(struct pci_device *dev, unsigned int vector);

/* Called by the PCI core: after a configuration write, at reset, at exit. */
void pci_msi_config_written(struct pci_device *dev, unsigned int offset,
			    unsigned int size);
void pci_msi_reset(struct pci_device *dev);
void pci_msi_free(struct pci_device *dev);

#endif /* VIREO_PCI_MSI_H */
