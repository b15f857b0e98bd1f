// SPDX-License-Identifier: GPL-2.0
/*
 * Exit dispatch on a fake run area, as the kernel would fill it: port I/O
 * (plain and string) through the real devices, the fatal exits with their
 * messages and exit codes, and malformed exits.  No kernel: the vCPU fd is
 * -1, so nothing reaches an ioctl that matters.
 */
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

static void test_mmio(void)
{
	set_exit(VIREO_EXIT_MMIO);
	vcpu.run->mmio.phys_addr = 0xf0010;
	vcpu.run->mmio.len = 4;
	vcpu.run->mmio.is_write = 1;
	memcpy(vcpu.run->mmio.data, "\x78\x56\x34\x12", 4);
	is_int(run_exit(), EXIT_CODE_UNHANDLED, "MMIO write: unhandled exit");
	ok(said("unhandled MMIO write at 0xf0010, 4 bytes, value 0x12345678"),
	   "MMIO write message names address, size, value");

	set_exit(VIREO_EXIT_MMIO);
	vcpu.run->mmio.phys_addr = 0xa0000;
	vcpu.run->mmio.len = 2;
	is_int(run_exit(), EXIT_CODE_UNHANDLED, "MMIO read: unhandled exit");
	ok(said("unhandled MMIO read at 0xa0000, 2 bytes"),
	   "MMIO read message names address and size");

	set_exit(VIREO_EXIT_MMIO);
	vcpu.run->mmio.phys_addr = 0xfee00000;
	vcpu.run->mmio.len = 200;
	vcpu.run->mmio.is_write = 1;
	is_int(run_exit(), EXIT_CODE_UNHANDLED, "MMIO with bogus len");
	ok(said("unhandled MMIO write at 0xfee00000 (size not decoded)"),
	   "bogus len is not trusted");
}

static void test_fatal(void)
{
	set_exit(VIREO_EXIT_HLT);
	is_int(run_exit(), 0, "HLT: exit status 0");
	ok(said("guest halted"), "HLT: says guest halted");

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
	test_mmio();
	test_fatal();
	test_codes();
	return tap_done();
}
