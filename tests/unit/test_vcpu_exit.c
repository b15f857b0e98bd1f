// SPDX-License-Identifier: GPL-2.0
/*
 * Exit dispatch on a fake run area, as the kernel would fill it: port I/O
 * (plain and string) through the real devices, MMIO through the bus to a
 * test device, EOIs to the interrupt controllers, HLT among several vCPUs,
 * the fatal exits with their messages and exit codes, and malformed exits.
 * No kernel: the vCPU fd is -1, so nothing reaches an ioctl that matters.
 */
#include <errno.h>
#include <fcntl.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <unistd.h>

#include "devices.h"
#include "exitcodes.h"
#include "machine.h"
#include "tap.h"
#include "util.h"
#include "vcpu_loop.h"
#include "vcpus.h"

#define RUN_SIZE	8192

static struct machine m;
static struct vcpu vcpu;
static uint8_t *io_data;
static int out_rd, err_fd, saved_stderr;
static char errbuf[4096];

static void capture_stderr(void)
{
	fflush(stderr);
	if (ftruncate(err_fd, 0) < 0 || lseek(err_fd, 0, SEEK_SET) < 0)
		diag("cannot reset the stderr capture file");
	saved_stderr = dup(2);
	dup2(err_fd, 2);
}

static const char *captured(void)
{
	ssize_t n;

	fflush(stderr);
	dup2(saved_stderr, 2);
	close(saved_stderr);
	n = pread(err_fd, errbuf, sizeof(errbuf) - 1, 0);
	errbuf[n > 0 ? n : 0] = '\0';
	return errbuf;
}

/* Did the last exit print msg on stderr? */
static int said(const char *msg)
{
	return strstr(errbuf, msg) != NULL;
}

static void set_io(uint16_t port, uint8_t size, uint8_t dir, uint32_t count)
{
	memset(vcpu.run, 0, sizeof(*vcpu.run));
	vcpu.run->exit_reason = VIREO_EXIT_IO;
	vcpu.run->io.port = port;
	vcpu.run->io.size = size;
	vcpu.run->io.direction = dir;
	vcpu.run->io.count = count;
	vcpu.run->io.string = count > 1;
	vcpu.run->io.rep = count > 1;
}

static int run_exit(void)
{
	int ret;

	capture_stderr();
	ret = vcpu_handle_exit(&vcpu, &m);
	captured();
	return ret;
}

static void test_io(void)
{
	char out[64] = "";
	ssize_t n;

	set_io(0x3f8, 1, VIREO_IO_OUT, 5);
	memcpy(io_data, "Hello", 5);
	is_int(run_exit(), VCPU_CONTINUE, "OUTSB x5 to the UART continues");
	n = read(out_rd, out, sizeof(out) - 1);
	ok(n == 5 && memcmp(out, "Hello", 5) == 0,
	   "string OUT: all 5 bytes reach the console in order");

	set_io(0x3fd, 1, VIREO_IO_IN, 1);
	io_data[0] = 0;
	run_exit();
	is_int(io_data[0] & 0x60, 0x60, "IN from LSR fills the data page");

	set_io(0x80, 4, VIREO_IO_IN, 3);
	memset(io_data, 0, 16);
	run_exit();
	ok(memcmp(io_data, "\xff\xff\xff\xff\xff\xff\xff\xff\xff\xff\xff\xff",
		  12) == 0 && io_data[12] == 0,
	   "INSD x3 from an unclaimed port: 12 bytes of 0xFF, no more");

	set_io(0x3f8 + 7, 2, VIREO_IO_IN, 1);
	memset(io_data, 0, 4);
	run_exit();
	ok(io_data[1] == 0xff, "IN word at the UART's last port: high byte 0xFF");

	set_io(0xf4, 1, VIREO_IO_OUT, 1);
	io_data[0] = 0x10;
	is_int(run_exit(), 33, "OUT 0x10 to 0xF4 ends with status 33");
	m.exit_requested = false;
}

static void bad_io(uint8_t size, uint8_t dir, uint32_t count, uint8_t string,
		   const char *what)
{
	set_io(0x80, size, dir, count);
	vcpu.run->io.string = string;
	memset(io_data, 0x5a, 4);
	is_int(run_exit(), EXIT_CODE_INTERNAL, "malformed I/O rejected: %s",
	       what);
	ok(said("malformed I/O exit") && io_data[0] == 0x5a,
	   "...with a message, data page untouched");
}

static void test_bad_io(void)
{
	bad_io(3, VIREO_IO_IN, 1, 0, "size 3");
	bad_io(8, VIREO_IO_IN, 1, 0, "size 8");
	bad_io(0, VIREO_IO_IN, 1, 0, "size 0");
	bad_io(1, 2, 1, 0, "direction 2");
	bad_io(1, VIREO_IO_IN, 0, 1, "count 0");
	bad_io(1, VIREO_IO_IN, 2, 0, "count 2 without string");
	bad_io(1, VIREO_IO_IN, RUN_SIZE - 4096 + 1, 1,
	       "count past the data page");
	bad_io(4, VIREO_IO_IN, 0x40000001, 1, "count * size overflowing");
}

static void set_exit(uint32_t reason)
{
	memset(vcpu.run, 0, sizeof(*vcpu.run));
	vcpu.run->exit_reason = reason;
}

/* The test devices' lock, as a device instance has (devices.h). */
static pthread_mutex_t dev_lock = PTHREAD_MUTEX_INITIALIZER;

/* Is the device's lock held (by the thread calling the device)? */
static int lock_held(void)
{
	if (pthread_mutex_trylock(&dev_lock) == EBUSY)
		return 1;
	pthread_mutex_unlock(&dev_lock);
	return 0;
}

#define TDEV_BASE	0xfed00000ULL
#define TDEV_LEN	0x100

static struct {
	unsigned int reads, writes, unlocked;
	uint64_t offset, value;
	unsigned int size;
	int exit_on_write;
} tdev;

static uint64_t tdev_read(void *opaque, uint64_t offset, unsigned int size)
{
	tdev.reads++;
	tdev.unlocked += !lock_held();
	tdev.offset = offset;
	tdev.size = size;
	return 0x8877665544332211ULL + offset;
}

static void tdev_write(void *opaque, uint64_t offset, unsigned int size,
		       uint64_t value)
{
	tdev.writes++;
	tdev.unlocked += !lock_held();
	tdev.offset = offset;
	tdev.size = size;
	tdev.value = value;
	if (tdev.exit_on_write)
		m.request_exit(&m, tdev.exit_on_write);
}

static const struct bus_ops tdev_ops = {
	.read = tdev_read,
	.write = tdev_write,
};

static unsigned int port_calls, port_unlocked;

static uint64_t tport_read(void *opaque, uint64_t offset, unsigned int size)
{
	port_calls++;
	port_unlocked += !lock_held();
	return 0;
}

static const struct bus_ops tport_ops = { .read = tport_read };

static void test_io_locked(void)
{
	bus_register(&m.pio, 0x510, 1, &tport_ops, NULL, &dev_lock);
	set_io(0x510, 1, VIREO_IO_IN, 4);
	run_exit();
	ok(port_calls == 4 && port_unlocked == 0,
	   "INSB x4: each port access with the device's lock held");
	ok(!lock_held(), "...and the lock is free again after the exit");
}

static void set_mmio(uint64_t gpa, uint32_t len, int write)
{
	set_exit(VIREO_EXIT_MMIO);
	vcpu.run->mmio.phys_addr = gpa;
	vcpu.run->mmio.len = len;
	vcpu.run->mmio.is_write = write;
}

static void test_mmio_device(void)
{
	is_int(bus_register(&m.mmio, TDEV_BASE, TDEV_LEN, &tdev_ops, NULL,
			    &dev_lock), 0, "test MMIO device registers");

	set_mmio(TDEV_BASE + 0x10, 4, 1);
	memcpy(vcpu.run->mmio.data, "\x78\x56\x34\x12\xee\xee\xee\xee", 8);
	is_int(run_exit(), VCPU_CONTINUE, "MMIO write to a device continues");
	ok(tdev.writes == 1 && tdev.offset == 0x10 && tdev.size == 4 &&
	   tdev.value == 0x12345678,
	   "...the device sees offset 0x10, 4 bytes, 0x12345678 (not the rest)");

	set_mmio(TDEV_BASE + 0x20, 8, 1);
	memcpy(vcpu.run->mmio.data, "\x01\x02\x03\x04\x05\x06\x07\x08", 8);
	run_exit();
	ok(tdev.size == 8 && tdev.value == 0x0807060504030201ULL,
	   "8-byte MMIO write: all 64 bits, little-endian");

	set_mmio(TDEV_BASE + 0x8, 2, 0);
	memset(vcpu.run->mmio.data, 0xcc, 8);
	is_int(run_exit(), VCPU_CONTINUE, "MMIO read from a device continues");
	ok(tdev.reads == 1 && tdev.offset == 8 && tdev.size == 2 &&
	   memcmp(vcpu.run->mmio.data, "\x19\x22\0\0\0\0\0\0", 8) == 0,
	   "2-byte read: the value's low 2 bytes in data[], the rest zeroed");

	set_mmio(TDEV_BASE, 8, 0);
	run_exit();
	ok(memcmp(vcpu.run->mmio.data, "\x11\x22\x33\x44\x55\x66\x77\x88",
		  8) == 0, "8-byte read fills all of data[]");
	is_int(tdev.unlocked, 0,
	       "device callbacks run with the device's lock held");

	tdev.exit_on_write = 41;
	set_mmio(TDEV_BASE, 1, 1);
	is_int(run_exit(), 41, "a device ending the VM from MMIO: its status");
	m.exit_requested = false;
	tdev.exit_on_write = 0;
}

static void test_mmio_unclaimed(void)
{
	unsigned int i, logged = 0, told = 0;

	set_mmio(0xf0010, 4, 1);
	memcpy(vcpu.run->mmio.data, "\x78\x56\x34\x12", 4);
	is_int(run_exit(), VCPU_CONTINUE,
	       "MMIO write to no device (a ROM write): dropped, continues");
	ok(said("MMIO write to unclaimed 0xf0010 (4 bytes, value 0x12345678) dropped"),
	   "...and says so, with address, size and value");
	run_exit();
	ok(!said("unclaimed"), "the same address again: not logged twice");

	set_mmio(0xa0000, 2, 0);
	memset(vcpu.run->mmio.data, 0, 8);
	is_int(run_exit(), VCPU_CONTINUE, "MMIO read from no device continues");
	ok(memcmp(vcpu.run->mmio.data, "\xff\xff\0\0\0\0\0\0", 8) == 0,
	   "...reads all ones, 2 bytes of them");
	ok(said("MMIO read from unclaimed 0xa0000 (2 bytes) gives all ones"),
	   "...and says so");

	/* The adapter-ROM window: a guest probing for option ROMs. */
	set_mmio(0xc0800, 2, 0);
	memset(vcpu.run->mmio.data, 0, 8);
	run_exit();
	ok(memcmp(vcpu.run->mmio.data, "\xff\xff\0\0", 4) == 0 &&
	   !said("unclaimed"),
	   "a read at 0xC0800 (option-ROM probe): all ones, not logged");
	set_mmio(0xc0800, 2, 1);
	run_exit();
	ok(said("MMIO write to unclaimed 0xc0800"),
	   "...a write there still is");

	set_mmio(TDEV_BASE + TDEV_LEN - 2, 4, 0);
	memset(vcpu.run->mmio.data, 0, 8);
	run_exit();
	ok(memcmp(vcpu.run->mmio.data, "\x0f\x10\xff\xff", 4) == 0 &&
	   !said("unclaimed"),
	   "a read straddling the end of a device: its bytes, then ones");

	for (i = 0; i < 100; i++) {
		set_mmio(0xe0000000ULL + 4096 * i, 1, 1);
		run_exit();
		logged += said("dropped");
		told += said("not reported");
	}
	ok(logged <= 32 && logged >= 29 && told == 1,
	   "100 unclaimed addresses: %u lines, then one saying the rest are not",
	   logged);
}

static void test_mmio_unhandled(void)
{
	set_mmio(0xfee00000, 0, 1);
	is_int(run_exit(), EXIT_CODE_UNHANDLED,
	       "MMIO the kernel did not decode (len 0): unhandled exit");
	ok(said("unhandled MMIO write at 0xfee00000 (instruction not decoded)"),
	   "...naming address and direction");

	set_mmio(0xa0000, 0, 0);
	vcpu.run->mmio.is_fetch = 1;
	is_int(run_exit(), EXIT_CODE_UNHANDLED, "MMIO fetch: unhandled exit");
	ok(said("unhandled MMIO fetch at 0xa0000"), "...named as a fetch");

	set_mmio(TDEV_BASE, 200, 1);
	tdev.writes = 0;
	is_int(run_exit(), EXIT_CODE_INTERNAL, "MMIO with len 200: malformed");
	ok(said("malformed MMIO exit") && tdev.writes == 0,
	   "...rejected before any device sees it");
	set_mmio(TDEV_BASE, 3, 0);
	is_int(run_exit(), EXIT_CODE_INTERNAL, "MMIO with len 3: malformed");
}

static struct {
	unsigned int calls, vector, unlocked;
} eoi;

static void fake_eoi(void *opaque, unsigned int vector)
{
	eoi.calls++;
	eoi.vector = vector;
	eoi.unlocked += !lock_held();
}

static void test_eoi(void)
{
	static const struct irq_chip chip = {
		.name = "fake", .eoi = fake_eoi, .lock = &dev_lock,
	};

	irq_set_gsi_chip(&m, &chip);
	set_exit(VIREO_EXIT_EOI);
	vcpu.run->eoi.vector = 0x31;
	is_int(run_exit(), VCPU_CONTINUE, "EOI exit continues");
	ok(eoi.calls == 1 && eoi.vector == 0x31 && !eoi.unlocked,
	   "...the interrupt controller hears of vector 0x31, under its lock");

	set_exit(VIREO_EXIT_EOI);
	vcpu.run->eoi.vector = 0x100;
	is_int(run_exit(), EXIT_CODE_INTERNAL, "EOI of vector 0x100: malformed");
	ok(eoi.calls == 1 && said("malformed EOI exit"),
	   "...no controller called");
	irq_set_gsi_chip(&m, NULL);
}

/* HLT among two vCPUs: the VM ends only when neither runs. */
static void test_hlt_smp(void)
{
	struct vcpu other = { .fd = -1, .id = 1 };
	struct vcpus set = { .nr = 2 };

	vcpu.set = &set;
	other.set = &set;
	other.stopped = true;	/* an AP waiting for SIPI */
	set.nr_stopped = 1;
	set_exit(VIREO_EXIT_HLT);
	is_int(run_exit(), EXIT_CODE_HALTED,
	       "HLT on vCPU 0 while the AP waits for SIPI: status 0");
	ok(said("every vCPU executed HLT"), "...saying every vCPU halted");
	ok(vcpu.stopped && set.nr_stopped == 2, "...both counted stopped");

	vcpus_resume(&other);
	vcpus_resume(&vcpu);
	ok(!vcpu.stopped && set.nr_stopped == 0, "both resumed: none stopped");
	set_exit(VIREO_EXIT_HLT);
	is_int(run_exit(), EXIT_CODE_INTERNAL,
	       "HLT while the other runs: park it (which fails without a kernel)");
	ok(said("cannot park halted vCPU 0") && set.nr_stopped == 1,
	   "...it tried to park vCPU 0, counted stopped");
	vcpus_resume(&vcpu);
	vcpu.set = NULL;
}

static void test_fatal(void)
{
	set_exit(VIREO_EXIT_HLT);
	is_int(run_exit(), 0, "HLT: exit status 0");
	ok(said("guest halted"), "HLT: says guest halted");
	vcpu.stopped = false;

	set_exit(VIREO_EXIT_SHUTDOWN);
	is_int(run_exit(), EXIT_CODE_SHUTDOWN, "SHUTDOWN: its own code");
	ok(said("triple-faulted"), "SHUTDOWN: says why");

	set_exit(VIREO_EXIT_INTERNAL_ERROR);
	vcpu.run->internal.suberror = VIREO_INTERNAL_ERROR_ENTRY_FAILED;
	vcpu.run->internal.ndata = 1;
	vcpu.run->internal.data[0] = 0x80000021;
	is_int(run_exit(), EXIT_CODE_INTERNAL, "INTERNAL_ERROR: its own code");
	ok(said("suberror 2 (VM entry failed)") &&
	   said("data[0] = 0x0000000080000021"),
	   "INTERNAL_ERROR: prints suberror and data");

	set_exit(VIREO_EXIT_INTERNAL_ERROR);
	vcpu.run->internal.ndata = 0xffffffff;
	is_int(run_exit(), EXIT_CODE_INTERNAL, "INTERNAL_ERROR: huge ndata");
	ok(said("data[7]") && !said("data[8]"),
	   "INTERNAL_ERROR: prints at most 8 data words");

	set_exit(VIREO_EXIT_HYPERCALL);
	vcpu.run->hypercall.nr = 0x42;
	is_int(run_exit(), EXIT_CODE_UNHANDLED, "HYPERCALL: unhandled exit");
	ok(said("unhandled hypercall nr 0x42"),
	   "HYPERCALL: names the hypercall");

	set_exit(99);
	is_int(run_exit(), EXIT_CODE_UNHANDLED, "unknown reason: unhandled");
	ok(said("unhandled exit reason 99"),
	   "unknown reason: named");
	set_exit(VIREO_EXIT_NONE);
	is_int(run_exit(), EXIT_CODE_UNHANDLED, "reason NONE: unhandled");
	set_exit(VIREO_EXIT_INTR);
	is_int(run_exit(), VCPU_CONTINUE, "INTR: back to the loop");
}

static void test_codes(void)
{
	static const int codes[] = {
		EXIT_CODE_USAGE, EXIT_CODE_NO_DEVICE, EXIT_CODE_BAD_ROM,
		EXIT_CODE_SHUTDOWN, EXIT_CODE_UNHANDLED, EXIT_CODE_INTERNAL,
		EXIT_CODE_SIGNAL, EXIT_CODE_API_VERSION, EXIT_CODE_HOST,
		EXIT_CODE_RESET, EXIT_CODE_BAD_KERNEL,
	};
	unsigned int i, j, bad = 0;

	for (i = 0; i < ARRAY_SIZE(codes); i++) {
		bad += codes[i] % 2 || codes[i] <= 0 || codes[i] > 255;
		for (j = 0; j < i; j++)
			bad += codes[i] == codes[j];
	}
	is_int(bad, 0, "error codes are distinct, even, 2-254");
}

int main(void)
{
	int p[2];

	err_fd = fileno(tmpfile());
	if (err_fd < 0 || pipe2(p, O_NONBLOCK) < 0)
		return 1;
	out_rd = p[0];
	vcpu.fd = -1;
	vcpu.run_size = RUN_SIZE;
	vcpu.run = aligned_alloc(4096, RUN_SIZE);
	io_data = (uint8_t *)vcpu.run + VIREO_RUN_IO_DATA_OFFSET;
	machine_init(&m, p[1]);
	is_int(devices_init(&m, NULL), 0, "devices register");
	test_io();
	test_bad_io();
	test_io_locked();
	test_mmio_device();
	test_mmio_unclaimed();
	test_mmio_unhandled();
	test_eoi();
	test_fatal();
	test_hlt_smp();
	test_codes();
	return tap_done();
}
