// SPDX-License-Identifier: GPL-2.0
/*
 * The PCI host bridge and bus: configuration mechanism #1, the bridge's
 * IDs, absent devices, a test device's BAR sizing and moves (its
 * callbacks must follow the BARs), command-register decoding, sub-dword
 * configuration accesses, INTx to GSIs, and 0xCF9 passing through.
 */
#include <errno.h>
#include <linux/pci_regs.h>

#include "devices.h"
#include "exitcodes.h"
#include "fake_platform.h"
#include "machine.h"
#include "pc_layout.h"
#include "pci/pci.h"
#include "tap.h"

#define CF8	0xcf8
#define CFC	0xcfc

static struct machine m;
static int exits, last_status;

static void fake_exit(struct machine *mm, int status)
{
	exits++;
	last_status = status;
}

/* The test device records the last access to each of its BARs. */
struct access {
	unsigned int count;
	uint64_t offset;
	unsigned int size;
	uint64_t value;
};

static struct access io_acc, mem_acc;

static uint64_t tdev_io_read(void *opaque, uint64_t offset, unsigned int size)
{
	io_acc.count++;
	io_acc.offset = offset;
	io_acc.size = size;
	return 0x40 + offset;
}

static void tdev_io_write(void *opaque, uint64_t offset, unsigned int size,
			  uint64_t value)
{
	io_acc.count++;
	io_acc.offset = offset;
	io_acc.size = size;
	io_acc.value = value;
}

static uint64_t tdev_mem_read(void *opaque, uint64_t offset,
			      unsigned int size)
{
	mem_acc.count++;
	mem_acc.offset = offset;
	mem_acc.size = size;
	return 0x1000 + offset;
}

static const struct bus_ops tdev_io_ops = {
	.read = tdev_io_read,
	.write = tdev_io_write,
};

static const struct bus_ops tdev_mem_ops = {
	.read = tdev_mem_read,
};

/* The test devices' lock, as devices.c gives each instance one. */
static pthread_mutex_t tdev_lock = PTHREAD_MUTEX_INITIALIZER;

static struct pci_device tdev = {
	.lock = &tdev_lock,
	.name = "test device",
	.vendor_id = 0x1af4,
	.device_id = 0x1234,
	.subsystem_vendor_id = 0x1af4,
	.subsystem_id = 0x0042,
	.revision = 0x07,
	.class_code = 0xff0000,
	.irq_pin = 1,
	.slot = PCI_SLOT_ANY,
	.bars = {
		[0] = { .type = PCI_BAR_IO, .size = 32,
			.pio_ops = &tdev_io_ops },
		[1] = { .type = PCI_BAR_MEM32, .size = 4096,
			.mmio_ops = &tdev_mem_ops },
		[2] = { .type = PCI_BAR_MEM64, .size = 1 << 20,
			.prefetchable = true, .mmio_ops = &tdev_mem_ops },
	},
};

static uint32_t cfg_addr(unsigned int slot, unsigned int reg)
{
	return 0x80000000u | slot << 11 | (reg & 0xfc);
}

static uint32_t cfg_read(unsigned int slot, unsigned int reg,
			 unsigned int size)
{
	ioport_write(&m.pio, CF8, 4, cfg_addr(slot, reg));
	return ioport_read(&m.pio, CFC + (reg & 3), size);
}

static void cfg_write(unsigned int slot, unsigned int reg, unsigned int size,
		      uint32_t v)
{
	ioport_write(&m.pio, CF8, 4, cfg_addr(slot, reg));
	ioport_write(&m.pio, CFC + (reg & 3), size, v);
}

static uint64_t mem_read(uint64_t addr, bool *claimed)
{
	uint64_t v = 0;

	*claimed = bus_read(&m.mmio, addr, 4, &v);
	return v;
}

static void test_host_bridge(void)
{
	ioport_write(&m.pio, CF8, 4, 0x80000000);
	is_int(ioport_read(&m.pio, CF8, 4), 0x80000000,
	       "CONFIG_ADDRESS reads back (Linux's type 1 check)");
	ioport_write(&m.pio, CF8 + 3, 1, 0x01);
	is_int(ioport_read(&m.pio, CF8, 4), 0x80000000,
	       "a byte write to 0xCFB leaves CONFIG_ADDRESS alone");
	ioport_write(&m.pio, CF8, 4, 0xffffffff);
	is_int(ioport_read(&m.pio, CF8, 4), 0x80fffffc,
	       "reserved and low bits of CONFIG_ADDRESS read 0");

	is_int(cfg_read(0, PCI_VENDOR_ID, 4), 0x12378086,
	       "00:00.0 is the i440FX host bridge (8086:1237)");
	is_int(cfg_read(0, PCI_CLASS_REVISION, 4), 0x06000002,
	       "host bridge class 0x0600, revision 2");
	is_int(cfg_read(0, PCI_HEADER_TYPE, 1), 0, "header type 0");
	is_int(cfg_read(0, PCI_DEVICE_ID, 2), 0x1237,
	       "a word read at 0xCFE gives the device ID");
	is_int(cfg_read(0, PCI_VENDOR_ID + 1, 1), 0x80,
	       "a byte read at 0xCFD gives the vendor ID's high byte");

	is_int(cfg_read(5, PCI_VENDOR_ID, 4), 0xffffffff,
	       "an empty slot reads all ones");
	is_int(cfg_read(5, PCI_VENDOR_ID, 2), 0xffff,
	       "...also as a word");
	ioport_write(&m.pio, CF8, 4, 0x80000100);	/* 00:00.1 */
	is_int(ioport_read(&m.pio, CFC, 4), 0xffffffff,
	       "function 1 of the bridge is absent");
	ioport_write(&m.pio, CF8, 4, 0x80010000);	/* bus 1 */
	is_int(ioport_read(&m.pio, CFC, 4), 0xffffffff, "bus 1 is absent");
	ioport_write(&m.pio, CF8, 4, 0x00000000);	/* enable clear */
	is_int(ioport_read(&m.pio, CFC, 4), 0xffffffff,
	       "with the enable bit clear, data reads all ones");
	cfg_write(0, PCI_VENDOR_ID, 4, 0);
	is_int(cfg_read(0, PCI_VENDOR_ID, 4), 0x12378086,
	       "vendor and device IDs are read-only");
}

static void test_register(void)
{
	static struct pci_device bad = {
		.slot = PCI_SLOT_ANY, .lock = &tdev_lock,
		.bars = { [0] = { .type = PCI_BAR_IO, .size = 24,
				  .pio_ops = &tdev_io_ops } },
	};
	static struct pci_device bad64 = {
		.slot = PCI_SLOT_ANY, .lock = &tdev_lock,
		.bars = { [5] = { .type = PCI_BAR_MEM64, .size = 4096,
				  .mmio_ops = &tdev_mem_ops } },
	};
	static struct pci_device taken = { .slot = 0 };
	static struct pci_device unlocked = { .slot = PCI_SLOT_ANY };

	is_int(pci_register_device(&m, &tdev), 1,
	       "the first device gets slot 1 (slot 0 is the bridge)");
	is_int(pci_register_device(&m, &bad), -EINVAL,
	       "a BAR size that is no power of two is refused");
	is_int(pci_register_device(&m, &bad64), -EINVAL,
	       "a 64-bit BAR in the last BAR register is refused");
	is_int(pci_register_device(&m, &taken), -EBUSY,
	       "a taken slot is refused");
	is_int(pci_register_device(&m, &unlocked), -EINVAL,
	       "a device without a lock is refused");
	is_int(cfg_read(1, PCI_VENDOR_ID, 4), 0x12341af4,
	       "the device answers in slot 1");
	is_int(cfg_read(1, PCI_SUBSYSTEM_VENDOR_ID, 4), 0x00421af4,
	       "subsystem IDs");
	is_int(cfg_read(1, PCI_CLASS_REVISION, 4), 0xff000007,
	       "class and revision");
	is_int(cfg_read(1, PCI_INTERRUPT_PIN, 1), 1, "interrupt pin INTA");
	is_int(cfg_read(1, PCI_INTERRUPT_LINE, 1), 17,
	       "interrupt line preset to its GSI (17)");
}

static void test_sizing(void)
{
	cfg_write(1, PCI_BASE_ADDRESS_0, 4, 0xffffffff);
	is_int(cfg_read(1, PCI_BASE_ADDRESS_0, 4), 0x0000ffe1,
	       "I/O BAR sizing: 32 ports, I/O space bit");
	cfg_write(1, PCI_BASE_ADDRESS_1, 4, 0xffffffff);
	is_int(cfg_read(1, PCI_BASE_ADDRESS_1, 4), 0xfffff000,
	       "MEM32 BAR sizing: 4 KiB, 32-bit, not prefetchable");
	cfg_write(1, PCI_BASE_ADDRESS_2, 4, 0xffffffff);
	cfg_write(1, PCI_BASE_ADDRESS_3, 4, 0xffffffff);
	is_int(cfg_read(1, PCI_BASE_ADDRESS_2, 4), 0xfff0000c,
	       "MEM64 BAR sizing: 1 MiB, 64-bit, prefetchable");
	is_int(cfg_read(1, PCI_BASE_ADDRESS_3, 4), 0xffffffff,
	       "MEM64 BAR sizing: the upper half is all address");
	cfg_write(1, PCI_BASE_ADDRESS_4, 4, 0xffffffff);
	is_int(cfg_read(1, PCI_BASE_ADDRESS_4, 4), 0,
	       "an unused BAR reads 0 after sizing");
	cfg_write(1, PCI_ROM_ADDRESS, 4, 0xffffffff);
	is_int(cfg_read(1, PCI_ROM_ADDRESS, 4), 0, "no expansion ROM");
	cfg_write(1, PCI_BASE_ADDRESS_0, 4, 0xc003);
	is_int(cfg_read(1, PCI_BASE_ADDRESS_0, 4), 0xc001,
	       "an I/O BAR keeps its address and type bit");
	cfg_write(1, PCI_BASE_ADDRESS_3, 4, 0);
}

static void test_io_bar(void)
{
	unsigned int before;

	cfg_write(1, PCI_BASE_ADDRESS_0, 4, 0xc000);
	before = io_acc.count;
	is_int(ioport_read(&m.pio, 0xc004, 1), 0xff,
	       "I/O decoding off: the BAR's ports are unclaimed");
	is_int(io_acc.count, before, "...and the device sees nothing");

	cfg_write(1, PCI_COMMAND, 2, PCI_COMMAND_IO);
	is_int(ioport_read(&m.pio, 0xc004, 2), 0x44,
	       "I/O decoding on: a read reaches the device");
	ok(io_acc.offset == 4 && io_acc.size == 2,
	   "...as offset 4 within the BAR, size 2");
	ioport_write(&m.pio, 0xc01f, 1, 0x5a);
	ok(io_acc.offset == 0x1f && io_acc.value == 0x5a,
	   "writes reach it too, up to the last port");

	cfg_write(1, PCI_BASE_ADDRESS_0, 4, 0xc100);
	before = io_acc.count;
	is_int(ioport_read(&m.pio, 0xc004, 1), 0xff,
	       "after the move the old ports are unclaimed");
	is_int(io_acc.count, before, "...and do not reach the device");
	is_int(ioport_read(&m.pio, 0xc108, 1), 0x48,
	       "the new ports reach it at the right offset");

	cfg_write(1, PCI_COMMAND, 2, 0);
	before = io_acc.count;
	is_int(ioport_read(&m.pio, 0xc108, 1), 0xff,
	       "clearing I/O enable removes the decode");
	is_int(io_acc.count, before, "...the device sees nothing");

	cfg_write(1, PCI_BASE_ADDRESS_0, 4, 0x0600);	/* over ACPI PM1 */
	cfg_write(1, PCI_COMMAND, 2, PCI_COMMAND_IO);
	ok(!tdev.bar_mapped[0],
	   "a BAR over another device's ports stays unmapped");
	cfg_write(1, PCI_BASE_ADDRESS_0, 4, 0xc100);
	is_int(ioport_read(&m.pio, 0xc101, 1), 0x41,
	       "moved to a free place, it maps again");
	cfg_write(1, PCI_COMMAND, 2, 0);
}

static void test_mem_bars(void)
{
	bool claimed;
	uint64_t v;

	cfg_write(1, PCI_BASE_ADDRESS_1, 4, 0xe0000000);
	cfg_write(1, PCI_BASE_ADDRESS_2, 4, 0x00000000);
	cfg_write(1, PCI_BASE_ADDRESS_3, 4, 0x00000001);	/* 4 GiB */
	mem_read(0xe0000010, &claimed);
	ok(!claimed, "memory decoding off: the BAR is a hole");

	cfg_write(1, PCI_COMMAND, 2, PCI_COMMAND_MEMORY);
	v = mem_read(0xe0000010, &claimed);
	ok(claimed && v == 0x1010 && mem_acc.offset == 0x10,
	   "memory decoding on: MEM32 reads reach offset 0x10");
	v = mem_read(0x100000020ULL, &claimed);
	ok(claimed && v == 0x1020, "the 64-bit BAR above 4 GiB is mapped");
	ok(ioport_read(&m.pio, 0xc100, 1) == 0xff,
	   "the memory enable bit alone does not decode the I/O BAR");

	cfg_write(1, PCI_BASE_ADDRESS_1, 4, 0xe0001000);
	mem_read(0xe0000010, &claimed);
	ok(!claimed, "after the move the old range is a hole");
	v = mem_read(0xe0001ffc, &claimed);
	ok(claimed && v == 0x1ffc, "the new range reaches the device");

	/* Byte-wise BAR writes, as some guests do. */
	cfg_write(1, PCI_BASE_ADDRESS_1 + 3, 1, 0xd0);
	v = mem_read(0xd0001000, &claimed);
	ok(claimed && v == 0x1000, "a byte write to the BAR moves it too");

	cfg_write(1, PCI_COMMAND, 2, 0);
	mem_read(0xd0001000, &claimed);
	ok(!claimed, "clearing memory enable unmaps it");
	mem_read(0x100000020ULL, &claimed);
	ok(!claimed, "...and the 64-bit BAR");
}

static void test_sub_dword(void)
{
	cfg_write(1, PCI_COMMAND, 4, 0xffff0000 | PCI_COMMAND_MASTER);
	is_int(cfg_read(1, PCI_COMMAND, 2), PCI_COMMAND_MASTER,
	       "a dword write sets the command register");
	is_int(cfg_read(1, PCI_STATUS, 2), 0,
	       "...and writing 1s to status clears, never sets");
	cfg_write(1, PCI_COMMAND + 1, 1, 0xff);
	is_int(cfg_read(1, PCI_COMMAND, 2), 0x0504,
	       "a byte write to 0x05 changes only the writable high bits");
	cfg_write(1, PCI_COMMAND, 2, 0);

	cfg_write(1, PCI_INTERRUPT_LINE, 1, 0x0b);
	is_int(cfg_read(1, PCI_INTERRUPT_LINE, 1), 0x0b,
	       "interrupt line is writable (byte at 0xCFC)");
	cfg_write(1, PCI_INTERRUPT_PIN, 1, 0x04);
	is_int(cfg_read(1, PCI_INTERRUPT_PIN, 1), 1,
	       "interrupt pin is read-only (byte at 0xCFD)");
	cfg_write(1, PCI_INTERRUPT_LINE, 2, 0x0311);
	is_int(cfg_read(1, PCI_INTERRUPT_LINE, 4) & 0xffff, 0x0111,
	       "a word write covering line and pin changes only the line");
	cfg_write(1, PCI_CACHE_LINE_SIZE, 4, 0xffffffff);
	is_int(cfg_read(1, PCI_CACHE_LINE_SIZE, 4), 0x0000ffff,
	       "cache line and latency writable; header type and BIST not");
	is_int(cfg_read(1, PCI_CLASS_REVISION + 2, 2), 0xff00,
	       "a word read at 0xCFE of the class dword");

	/* Error bits are write-1-to-clear. */
	tdev.config[PCI_STATUS + 1] |= PCI_STATUS_REC_MASTER_ABORT >> 8;
	cfg_write(1, PCI_STATUS, 2, 0);
	is_int(cfg_read(1, PCI_STATUS, 2), PCI_STATUS_REC_MASTER_ABORT,
	       "writing 0 keeps an error bit");
	cfg_write(1, PCI_STATUS + 1, 1, PCI_STATUS_REC_MASTER_ABORT >> 8);
	is_int(cfg_read(1, PCI_STATUS, 2), 0, "writing 1 clears it");
}

static void test_intx(void)
{
	static struct pci_device shared = {
		.vendor_id = 0x1af4, .device_id = 0x1, .irq_pin = 1, .slot = 9,
		.lock = &tdev_lock,
	};
	unsigned int gsi = pci_irq_gsi(1, 1);

	is_int(gsi, 17, "slot 1 INTA is GSI 17");
	ok(pci_irq_gsi(0, 1) == 16 && pci_irq_gsi(3, 4) == 22 &&
	   pci_irq_gsi(7, 2) == 16 && pci_irq_gsi(31, 4) == 18,
	   "GSI = 16 + ((slot + pin - 1) %% 8), the _PRT's swizzle");

	pci_irq_set(&tdev, true);
	ok(fake_gsi_level(gsi), "INTA asserted: GSI 17 high");
	is_int(cfg_read(1, PCI_STATUS, 2) & PCI_STATUS_INTERRUPT,
	       PCI_STATUS_INTERRUPT, "status shows the interrupt");
	cfg_write(1, PCI_COMMAND, 2, PCI_COMMAND_INTX_DISABLE);
	ok(!fake_gsi_level(gsi), "INTx disable releases the GSI");
	is_int(cfg_read(1, PCI_STATUS, 2) & PCI_STATUS_INTERRUPT,
	       PCI_STATUS_INTERRUPT, "...but status still shows the pin");
	cfg_write(1, PCI_COMMAND, 2, 0);
	ok(fake_gsi_level(gsi), "re-enabling INTx asserts it again");
	pci_irq_set(&tdev, false);
	ok(!fake_gsi_level(gsi), "INTA released: GSI 17 low");
	is_int(fake_gsi_edges(gsi), 2, "two rising edges in all");

	is_int(pci_register_device(&m, &shared), 9, "a device in slot 9");
	pci_irq_set(&tdev, true);
	pci_irq_set(&shared, true);
	pci_irq_set(&tdev, false);
	ok(fake_gsi_level(gsi), "a shared GSI stays high while one asserts");
	pci_irq_set(&shared, false);
	ok(!fake_gsi_level(gsi), "...and drops when none does");
}

static void test_reset_port(void)
{
	exits = 0;
	ioport_write(&m.pio, CF8, 4, 0x80000600);
	is_int(exits, 0, "a dword to 0xCF8 is CONFIG_ADDRESS, never a reset");
	ioport_write(&m.pio, 0xcf9, 1, 0x02);
	is_int(exits, 0, "0xCF9 <- 0x02 selects a hard reset, no more");
	is_int(ioport_read(&m.pio, 0xcf9, 1), 0x02,
	       "0xCF9 reads back through the host bridge");
	ioport_write(&m.pio, 0xcf9, 1, PC_RESET_VALUE);
	ok(exits == 1 && last_status == EXIT_CODE_RESET,
	   "0xCF9 <- 0x06 resets (exit %d)", last_status);
	ioport_write(&m.pio, CF8, 2, 0x0600);
	is_int(exits, 2, "a word at 0xCF8 puts its high byte on 0xCF9");
	is_int(ioport_read(&m.pio, CF8, 4), 0x80000600,
	       "...and leaves CONFIG_ADDRESS alone");
}

int main(void)
{
	machine_init(&m, -1);
	m.request_exit = fake_exit;
	m.evloop = fake_evloop();
	is_int(devices_init(&m, NULL), 0,
	       "host bridge and ACPI PM register themselves");

	test_host_bridge();
	test_register();
	test_sizing();
	test_io_bar();
	test_mem_bars();
	test_sub_dword();
	test_intx();
	test_reset_port();
	return tap_done();
}
