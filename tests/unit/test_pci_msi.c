// SPDX-License-Identifier: GPL-2.0
/*
 * Capabilities, MSI and MSI-X (pci/pci_msi.h) on a test device, driven as
 * a guest drives them: configuration cycles through the host bridge's
 * 0xCF8/0xCFC, the MSI-X table and PBA through MMIO on the device's BAR.
 * Messages are recorded where VIREO_SIGNAL_MSI would take them.
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <linux/pci_regs.h>

#include "devices.h"
#include "devstate.h"
#include "fake_platform.h"
#include "machine.h"
#include "pc_layout.h"
#include "pci/pci.h"
#include "pci/pci_msi.h"
#include "tap.h"

#define BAR_ADDR	0xfebf0000u
#define PBA_OFFSET	0x800
#define NR_VEC		4

static struct machine m;
static unsigned int nr_msgs;
static uint64_t msg_addr;
static uint32_t msg_data;

static int record_msi(struct machine *mm, uint64_t address, uint32_t data)
{
	nr_msgs++;
	msg_addr = address;
	msg_data = data;
	return 1;
}

static struct pci_device tdev;
static pthread_mutex_t tdev_lock = PTHREAD_MUTEX_INITIALIZER;

static uint64_t bar_read(void *opaque, uint64_t offset, unsigned int size)
{
	if (offset < PBA_OFFSET)
		return pci_msix_table_read(&tdev, offset, size);
	return pci_msix_pba_read(&tdev, offset - PBA_OFFSET, size);
}

static void bar_write(void *opaque, uint64_t offset, unsigned int size,
		      uint64_t value)
{
	if (offset < PBA_OFFSET)
		pci_msix_table_write(&tdev, offset, size, value);
}

static const struct bus_ops bar_ops = { .read = bar_read, .write = bar_write };

static unsigned int slot;

static uint32_t cfg_read(unsigned int off, unsigned int size)
{
	ioport_write(&m.pio, PC_PCI_CONFIG, 4,
		     0x80000000 | slot << 11 | (off & 0xfc));
	return ioport_read(&m.pio, PC_PCI_CONFIG + 4 + (off & 3), size);
}

static void cfg_write(unsigned int off, unsigned int size, uint32_t v)
{
	ioport_write(&m.pio, PC_PCI_CONFIG, 4,
		     0x80000000 | slot << 11 | (off & 0xfc));
	ioport_write(&m.pio, PC_PCI_CONFIG + 4 + (off & 3), size, v);
}

static uint32_t mmio_read(uint64_t addr, unsigned int size)
{
	uint64_t v = 0;

	bus_read(&m.mmio, addr, size, &v);
	return v;
}

static void mmio_write(uint64_t addr, unsigned int size, uint64_t v)
{
	bus_write(&m.mmio, addr, size, v);
}

static void setup(void)
{
	int ret;

	machine_init(&m, -1);
	m.evloop = fake_evloop();
	m.signal_msi = record_msi;
	devices_init(&m, NULL);
	tdev = (struct pci_device) {
		.name = "msi test", .vendor_id = 0x1af4, .device_id = 0x1234,
		.class_code = 0xff0000, .irq_pin = 1, .slot = PCI_SLOT_ANY,
		.lock = &tdev_lock,
		.bars[0] = { .type = PCI_BAR_MEM32, .size = 0x1000,
			     .mmio_ops = &bar_ops },
	};
	is_int(pci_msix_add(&tdev, NR_VEC, 0, 0, 0x20), -EINVAL,
	       "MSI-X: a PBA inside the table is refused");
	is_int(pci_msix_add(&tdev, NR_VEC, 0, 4, PBA_OFFSET), -EINVAL,
	       "MSI-X: a table not 8-byte aligned is refused");
	is_int(pci_msix_add(&tdev, 300, 0, 0, PBA_OFFSET), -EINVAL,
	       "MSI-X: a table past its PBA is refused");
	is_int(pci_msix_add(&tdev, NR_VEC, 1, 0, PBA_OFFSET), -EINVAL,
	       "MSI-X: a BAR that is not memory is refused");
	is_int(pci_msi_add(&tdev, 3), -EINVAL,
	       "MSI: 3 vectors (not a power of two) is refused");
	is_int(pci_msi_add(&tdev, NR_VEC), 0, "MSI with 4 vectors added");
	is_int(pci_msix_add(&tdev, NR_VEC, 0, 0, PBA_OFFSET), 0,
	       "MSI-X with 4 entries added");
	ret = pci_register_device(&m, &tdev);
	ok(ret > 0, "device registered in slot %d", ret);
	slot = ret;
	/* Memory decoding on, BAR 0 placed. */
	cfg_write(PCI_BASE_ADDRESS_0, 4, BAR_ADDR);
	cfg_write(PCI_COMMAND, 2, PCI_COMMAND_MEMORY | PCI_COMMAND_MASTER);
}

static void test_cap_list(void)
{
	unsigned int at, ids = 0, hops = 0;

	ok(cfg_read(PCI_STATUS, 2) & PCI_STATUS_CAP_LIST,
	   "status says there is a capabilities list");
	for (at = cfg_read(PCI_CAPABILITY_LIST, 1); at && hops < 48;
	     at = cfg_read(at + PCI_CAP_LIST_NEXT, 1), hops++)
		ids = ids << 8 | cfg_read(at + PCI_CAP_LIST_ID, 1);
	is_int(ids, PCI_CAP_ID_MSI << 8 | PCI_CAP_ID_MSIX,
	       "the guest walks MSI, then MSI-X, then the end");
	is_int(pci_cap_find(&tdev, PCI_CAP_ID_MSI), 0x40, "MSI at 0x40");
	is_int(pci_cap_find(&tdev, PCI_CAP_ID_MSIX), 0x50, "MSI-X at 0x50");
	cfg_write(0x41, 1, 0x00);
	is_int(cfg_read(0x41, 1), 0x50, "the guest cannot rewrite the list");
}

static void test_msi(void)
{
	unsigned int cap = tdev.msi_cap;

	is_int(cfg_read(cap + PCI_MSI_FLAGS, 2), PCI_MSI_FLAGS_64BIT | 2 << 1,
	       "MSI: 64-bit, 4 vectors capable, disabled");
	ok(!pci_msi_notify(&tdev, 0) && nr_msgs == 0,
	   "MSI: nothing is sent while disabled (the device uses INTx)");
	cfg_write(cap + PCI_MSI_ADDRESS_LO, 4, 0xfee01003);
	cfg_write(cap + PCI_MSI_ADDRESS_HI, 4, 0);
	cfg_write(cap + PCI_MSI_DATA_64, 2, 0x4041);
	cfg_write(cap + PCI_MSI_FLAGS, 2, 0xffff);
	is_int(cfg_read(cap + PCI_MSI_FLAGS, 2),
	       PCI_MSI_FLAGS_64BIT | 2 << 1 | 7 << 4 | PCI_MSI_FLAGS_ENABLE,
	       "MSI: only enable and multiple-message enable are writable");
	is_int(cfg_read(cap + PCI_MSI_ADDRESS_LO, 4), 0xfee01000,
	       "MSI: the address is dword-aligned");
	ok(pci_msi_notify(&tdev, 3) && nr_msgs == 1 &&
	   msg_addr == 0xfee01000 && msg_data == 0x4043,
	   "MSI: vector 3 sends data 0x4041 with its low 2 bits = 3");
	ok(!pci_msi_notify(&tdev, 4) && nr_msgs == 1,
	   "MSI: vector 4 of 4 is out of range");
	cfg_write(cap + PCI_MSI_FLAGS, 2, PCI_MSI_FLAGS_ENABLE);
	ok(!pci_msi_notify(&tdev, 1) && nr_msgs == 1,
	   "MSI: with one vector enabled, vector 1 is refused");
	cfg_write(cap + PCI_MSI_ADDRESS_LO, 4, 0x10000000);
	pci_msi_notify(&tdev, 0);
	is_int(nr_msgs, 1, "MSI: a message to RAM, not the APICs, is dropped");
	cfg_write(cap + PCI_MSI_ADDRESS_LO, 4, 0xfee00000);
}

static void program_entry(unsigned int v, uint32_t addr, uint32_t data)
{
	uint64_t e = BAR_ADDR + v * PCI_MSIX_ENTRY_SIZE;

	mmio_write(e, 4, addr);
	mmio_write(e + 4, 4, 0);
	mmio_write(e + 8, 4, data);
}

static void test_msix(void)
{
	unsigned int cap = tdev.msix_cap, n = nr_msgs;
	uint64_t ctrl2 = BAR_ADDR + 2 * PCI_MSIX_ENTRY_SIZE + 12;

	is_int(cfg_read(cap + PCI_MSIX_FLAGS, 2), NR_VEC - 1,
	       "MSI-X: table size 4, disabled, not masked");
	is_int(cfg_read(cap + PCI_MSIX_TABLE, 4), 0,
	       "MSI-X: table at offset 0 of BAR 0");
	is_int(cfg_read(cap + PCI_MSIX_PBA, 4), PBA_OFFSET,
	       "MSI-X: PBA at 0x800 of BAR 0");
	cfg_write(cap + PCI_MSIX_TABLE, 4, 0x1235);
	is_int(cfg_read(cap + PCI_MSIX_TABLE, 4), 0,
	       "MSI-X: table offset and BIR are read-only");
	cfg_write(cap + PCI_MSIX_FLAGS, 2, PCI_MSIX_FLAGS_ENABLE | 0x7ff);
	is_int(cfg_read(cap + PCI_MSIX_FLAGS, 2),
	       PCI_MSIX_FLAGS_ENABLE | (NR_VEC - 1),
	       "MSI-X: enabled; the table size is read-only");
	program_entry(2, 0xfee00000, 0x31);
	is_int(mmio_read(ctrl2, 4), 1, "MSI-X: entries start masked");

	ok(pci_msi_notify(&tdev, 2) && nr_msgs == n,
	   "MSI-X: enabled, it wins over MSI; a masked entry sends nothing");
	is_int(mmio_read(BAR_ADDR + PBA_OFFSET, 4), 1 << 2,
	       "MSI-X: ...and its pending bit is set");
	mmio_write(ctrl2, 4, 0xfffffffe);
	ok(nr_msgs == n + 1 && msg_addr == 0xfee00000 && msg_data == 0x31,
	   "MSI-X: unmasking the entry sends the pending message");
	is_int(mmio_read(ctrl2, 4), 0,
	       "MSI-X: vector control has only the mask bit");
	is_int(mmio_read(BAR_ADDR + PBA_OFFSET, 4), 0,
	       "MSI-X: ...and its pending bit is clear");

	cfg_write(cap + PCI_MSIX_FLAGS, 2,
		  PCI_MSIX_FLAGS_ENABLE | PCI_MSIX_FLAGS_MASKALL);
	pci_msi_notify(&tdev, 2);
	ok(nr_msgs == n + 1 && mmio_read(BAR_ADDR + PBA_OFFSET, 4) == 4,
	   "MSI-X: the function mask holds it pending");
	cfg_write(cap + PCI_MSIX_FLAGS, 2, PCI_MSIX_FLAGS_ENABLE);
	is_int(nr_msgs, n + 2,
	       "MSI-X: clearing the function mask sends it");

	mmio_write(BAR_ADDR + 3 * PCI_MSIX_ENTRY_SIZE, 8,
		   0x12345678fee00000ULL);
	is_int(mmio_read(BAR_ADDR + 3 * PCI_MSIX_ENTRY_SIZE + 4, 4),
	       0x12345678, "MSI-X: a qword write fills both dwords");
	mmio_write(BAR_ADDR + 8, 2, 0xbeef);
	is_int(mmio_read(BAR_ADDR + 8, 4), 0,
	       "MSI-X: a word write to the table is dropped");
	ok(!pci_msi_notify(&tdev, NR_VEC), "MSI-X: vector 4 of 4 refused");
}

static void test_state(void)
{
	struct pci_msix *x = tdev.msix;
	uint8_t table[NR_VEC * PCI_MSIX_ENTRY_SIZE];
	struct devstate ds;
	uint32_t version;

	mmio_write(BAR_ADDR + 2 * PCI_MSIX_ENTRY_SIZE + 12, 4, 1);
	pci_msi_notify(&tdev, 2);		/* pending */
	pci_irq_set(&tdev, true);		/* and INTx asserted */
	devstate_begin(&ds, "t", 1);
	pci_device_save(&tdev, &ds);
	is_int(devstate_end(&ds), 0, "saved with its MSI-X table and PBA");
	memcpy(table, x->table, sizeof(table));

	pci_device_reset(&tdev);
	ok(!pci_msix_enabled(&tdev) && !pci_msi_enabled(&tdev) &&
	   x->pba[0] == 0 && x->table[12] == 1 && x->table[8] == 0,
	   "reset: MSI and MSI-X off, entries masked and clear, nothing pending");
	is_int(cfg_read(PCI_COMMAND, 2), 0, "reset: decoding off");

	devstate_open(&ds, ds.buf, ds.len, "t", &version);
	is_int(pci_device_load(&tdev, &ds), 0, "loaded back");
	ok(tdev.irq_level && (cfg_read(PCI_STATUS, 2) & PCI_STATUS_INTERRUPT),
	   "...with its INTx pin and interrupt status asserted");
	ok(pci_msix_enabled(&tdev) && x->pba[0] == 4 &&
	   !memcmp(table, x->table, sizeof(table)) &&
	   mmio_read(BAR_ADDR + PBA_OFFSET, 4) == 4,
	   "MSI-X enabled, table, pending bit and the BAR as saved");
	mmio_write(BAR_ADDR + 2 * PCI_MSIX_ENTRY_SIZE + 12, 4, 0);
	is_int(msg_data, 0x31, "the pending message goes out after the load");
	free(ds.buf);
}

static void test_full(void)
{
	struct pci_device d = { .slot = PCI_SLOT_ANY };
	int i, last = 0;

	for (i = 0; i < 60; i++) {
		last = pci_cap_add(&d, 0x09, 4);
		if (last < 0)
			break;
	}
	ok(i == 48 && last == -ENOSPC,
	   "48 capabilities of 4 bytes fill 0x40-0xFF, the 49th is refused");
}

int main(void)
{
	setup();
	test_cap_list();
	test_msi();
	test_msix();
	test_state();
	test_full();
	pci_unregister_device(&tdev);
	devices_destroy(&m);
	machine_destroy(&m);
	return tap_done();
}
