// SPDX-License-Identifier: GPL-2.0
/*
 * The AML writer (userspace/devmodel/acpi/aml.c, aml_res.c) against byte
 * sequences worked out by hand from ACPI 6.4 20.2 (AML grammar) and 6.4
 * (resource descriptors).
 */
#include <errno.h>
#include <string.h>

#include "acpi/aml.h"
#include "tap.h"

static uint8_t buf[1 << 21];
static struct aml a;

static void reset(void)
{
	memset(buf, 0xcc, sizeof(buf));
	aml_init(&a, buf, sizeof(buf));
}

#define BYTES(...)	((const uint8_t[]){ __VA_ARGS__ }), \
			sizeof((const uint8_t[]){ __VA_ARGS__ })

/* The writer holds exactly want[0..n) and no error. */
static int is_bytes(const uint8_t *want, size_t n, const char *name)
{
	size_t i;
	int good = !a.err && a.len == n && !memcmp(a.buf, want, n);

	ok(good, "%s", name);
	if (!good) {
		printf("#   err %d, got %zu bytes:", a.err, a.len);
		for (i = 0; i < a.len && i < 32; i++)
			printf(" %02x", a.buf[i]);
		printf("\n#   want %zu bytes:", n);
		for (i = 0; i < n && i < 32; i++)
			printf(" %02x", want[i]);
		printf("\n");
	}
	return good;
}

/*
 * An independent PkgLength reader: returns the encoded value and sets
 * *n to the bytes it took (ACPI 6.4 20.2.4).
 */
static size_t pkglen_decode(const uint8_t *p, unsigned int *n)
{
	unsigned int follow = p[0] >> 6, i;
	size_t v;

	*n = 1 + follow;
	if (!follow)
		return p[0] & 0x3f;
	v = p[0] & 0x0f;
	for (i = 1; i <= follow; i++)
		v |= (size_t)p[i] << (4 + 8 * (i - 1));
	return v;
}

static void test_pkglen_boundaries(void)
{
	static const struct {
		size_t content;
		int n;
		uint8_t bytes[4];
	} cases[] = {
		{ 0, 1, { 0x01 } },
		{ 62, 1, { 0x3f } },		/* 63: largest 1-byte */
		{ 63, 2, { 0x41, 0x04 } },	/* 65 */
		{ 4093, 2, { 0x4f, 0xff } },	/* 4095: largest 2-byte */
		{ 4094, 3, { 0x81, 0x00, 0x01 } },	/* 4097 */
		{ 0xffffc, 3, { 0x8f, 0xff, 0xff } },	/* 0xFFFFF */
		{ 0xffffd, 4, { 0xc1, 0x00, 0x00, 0x01 } }, /* 0x100001 */
		{ 0xffffffb, 4, { 0xcf, 0xff, 0xff, 0xff } }, /* 0xFFFFFFF */
	};
	uint8_t out[4];
	unsigned int i;
	int n;

	for (i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		memset(out, 0, sizeof(out));
		n = aml_pkglen_encode(cases[i].content, out);
		ok(n == cases[i].n && !memcmp(out, cases[i].bytes, n),
		   "PkgLength for %zu content bytes: %d byte(s) "
		   "%02x %02x %02x %02x",
		   cases[i].content, cases[i].n, cases[i].bytes[0],
		   cases[i].bytes[1], cases[i].bytes[2], cases[i].bytes[3]);
	}
	is_int(aml_pkglen_encode(0xffffffc, out), -EINVAL,
	       "a package past 2^28 - 1 bytes is refused");
}

/* Every length up to past the 3-byte limit decodes back, shortest form. */
static void test_pkglen_roundtrip(void)
{
	unsigned int n, dn, bad = 0, want_n;
	uint8_t out[4];
	size_t c;
	int r;

	for (c = 0; c < 0x100100 && bad < 5; c++) {
		if (c > 0x1100 && c < 0xfff00)
			c = 0xfff00;
		r = aml_pkglen_encode(c, out);
		n = r;
		want_n = c + 1 <= 63 ? 1 : c + 2 <= 0xfff ? 2 :
			 c + 3 <= 0xfffff ? 3 : 4;
		if (r < 0 || n != want_n || pkglen_decode(out, &dn) != c + n ||
		    dn != n) {
			diag("content %zu: encoded in %d bytes", c, r);
			bad++;
		}
	}
	ok(!bad, "PkgLength round-trips and is shortest around all limits");
}

static void test_integers(void)
{
	reset();
	aml_integer(&a, 0);
	aml_integer(&a, 1);
	aml_integer(&a, 2);
	aml_integer(&a, 0xff);
	is_bytes(BYTES(0x00, 0x01, 0x0a, 0x02, 0x0a, 0xff),
		 "Zero, One, then BytePrefix for 2 and 0xFF");
	reset();
	aml_integer(&a, 0x100);
	aml_integer(&a, 0xffff);
	is_bytes(BYTES(0x0b, 0x00, 0x01, 0x0b, 0xff, 0xff),
		 "WordPrefix for 0x100..0xFFFF, little-endian");
	reset();
	aml_integer(&a, 0x10000);
	aml_integer(&a, 0xfec00000);
	is_bytes(BYTES(0x0c, 0x00, 0x00, 0x01, 0x00,
		       0x0c, 0x00, 0x00, 0xc0, 0xfe),
		 "DWordPrefix for 0x10000..0xFFFFFFFF");
	reset();
	aml_integer(&a, 0x100000000ULL);
	aml_integer(&a, UINT64_MAX);
	is_bytes(BYTES(0x0e, 0, 0, 0, 0, 1, 0, 0, 0,
		       0x0e, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff),
		 "QWordPrefix above 32 bits");
}

static void test_strings(void)
{
	reset();
	aml_string(&a, "ACPI0007");
	aml_string(&a, "");
	is_bytes(BYTES(0x0d, 'A', 'C', 'P', 'I', '0', '0', '0', '7', 0x00,
		       0x0d, 0x00),
		 "StringPrefix, the characters, a NUL");
	reset();
	aml_string(&a, "bad\n");
	is_int(a.err, -EINVAL, "a control character in a string is refused");
	is_int(a.len, 0, "...and nothing is written");
}

static void test_names(void)
{
	static const char *const bad[] = {
		"", "abc", "1ABC", "ABCDE", "A..B", "A.", ".A", "\\\\A",
		"^\\A", "A-B", "\\_SB.PCI00",
	};
	unsigned int i;

	reset();
	aml_namestring(&a, "_S5");
	aml_namestring(&a, "PCI0");
	is_bytes(BYTES('_', 'S', '5', '_', 'P', 'C', 'I', '0'),
		 "short NameSegs are padded with '_'");
	reset();
	aml_namestring(&a, "\\_SB.PCI0");
	is_bytes(BYTES('\\', 0x2e, '_', 'S', 'B', '_', 'P', 'C', 'I', '0'),
		 "RootChar and DualNamePrefix");
	reset();
	aml_namestring(&a, "\\_SB.PCI0.COM1");
	is_bytes(BYTES('\\', 0x2f, 3, '_', 'S', 'B', '_', 'P', 'C', 'I', '0',
		       'C', 'O', 'M', '1'),
		 "MultiNamePrefix with a segment count");
	reset();
	aml_namestring(&a, "^^FOO");
	aml_namestring(&a, "\\");
	is_bytes(BYTES('^', '^', 'F', 'O', 'O', '_', '\\', 0x00),
		 "ParentPrefixChars; the bare root is a NullName");
	reset();
	aml_name(&a, "_UID");
	aml_integer(&a, 0);
	is_bytes(BYTES(0x08, '_', 'U', 'I', 'D', 0x00),
		 "Name(_UID, Zero) is NameOp, the name, the object");

	for (i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		reset();
		aml_namestring(&a, bad[i]);
		aml_byte(&a, 0x42);
		ok(a.err == -EINVAL && a.len == 0,
		   "bad name \"%s\" is refused and stops the writer", bad[i]);
	}
}

static void test_objects(void)
{
	size_t m, inner;
	unsigned int n, i;

	reset();
	m = aml_buffer_open(&a);
	aml_bytes(&a, BYTES(1, 2, 3, 4, 5));
	aml_buffer_close(&a, m);
	is_bytes(BYTES(0x11, 0x08, 0x0a, 0x05, 1, 2, 3, 4, 5),
		 "Buffer: BufferOp, PkgLength, BufferSize, bytes");

	reset();
	m = aml_package_open(&a, 2);
	aml_integer(&a, 5);
	aml_integer(&a, 0);
	aml_close(&a, m);
	is_bytes(BYTES(0x12, 0x05, 0x02, 0x0a, 0x05, 0x00),
		 "Package: PackageOp, PkgLength, NumElements, elements");

	reset();
	m = aml_device_open(&a, "RTC");
	aml_close(&a, m);
	is_bytes(BYTES(0x5b, 0x82, 0x05, 'R', 'T', 'C', '_'),
		 "Device: ExtOpPrefix DeviceOp, PkgLength, name");

	/*
	 * A Device of 60 bytes (1-byte PkgLength) in a Scope that grows
	 * past 63 and needs 2: the inner close must shift correctly.
	 */
	reset();
	m = aml_scope_open(&a, "_SB");
	inner = aml_device_open(&a, "DEV0");
	for (i = 0; i < 56; i++)
		aml_byte(&a, 0xa3);	/* NoopOp */
	aml_close(&a, inner);
	aml_close(&a, m);
	ok(!a.err && buf[0] == 0x10, "nested Scope/Device written");
	is_int(pkglen_decode(&buf[1], &n) + 1, a.len,
	       "the Scope's 2-byte PkgLength covers the rest");
	is_int(n, 2, "...and is 2 bytes long");
	ok(buf[1 + n] == '_' && buf[1 + n + 4] == 0x5b &&
	   buf[1 + n + 5] == 0x82, "the Device follows the Scope's name");
	is_int(pkglen_decode(&buf[1 + n + 6], &i), 61,
	       "the Device's PkgLength counts itself, the name, the body");
	is_int(i, 1, "...in one byte");

	reset();
	aml_package_open(&a, 256);
	is_int(a.err, -EINVAL,
	       "a Package of more than 255 elements is refused");
	reset();
	aml_close(&a, a.len + 5);
	is_int(a.err, -EINVAL, "closing at a mark past the end is refused");
}

static void test_eisaid(void)
{
	static const struct {
		const char *id;
		uint32_t v;
	} good[] = {
		{ "PNP0A03", 0x030ad041 }, { "PNP0501", 0x0105d041 },
		{ "PNP0B00", 0x000bd041 }, { "PNP0303", 0x0303d041 },
	};
	static const char *const bad[] = {
		"pnp0a03", "PNP0A0", "PNP0A031", "PNP0A0G", "P1P0A03",
	};
	unsigned int i;
	uint32_t v;

	for (i = 0; i < sizeof(good) / sizeof(good[0]); i++) {
		v = 0;
		ok(!aml_eisaid_encode(good[i].id, &v) && v == good[i].v,
		   "EisaId(\"%s\") = 0x%08x", good[i].id, good[i].v);
	}
	for (i = 0; i < sizeof(bad) / sizeof(bad[0]); i++)
		is_int(aml_eisaid_encode(bad[i], &v), -EINVAL,
		       "EisaId(\"%s\") is refused", bad[i]);
	reset();
	aml_eisaid(&a, "PNP0A03");
	is_bytes(BYTES(0x0c, 0x41, 0xd0, 0x0a, 0x03),
		 "an EISA ID is a DWord, \"PNP\" first in memory");
}

static void test_resources(void)
{
	size_t m;

	reset();
	aml_res_io(&a, 0x3f8, 0x3f8, 1, 8);
	aml_res_irq(&a, 4);
	is_bytes(BYTES(0x47, 0x01, 0xf8, 0x03, 0xf8, 0x03, 0x01, 0x08,
		       0x22, 0x10, 0x00),
		 "IO(Decode16) and IRQNoFlags descriptors");
	reset();
	aml_res_bus_window(&a, 0, 0xff);
	is_bytes(BYTES(0x88, 0x0d, 0x00, 0x02, 0x0c, 0x00,
		       0x00, 0x00, 0x00, 0x00, 0xff, 0x00,
		       0x00, 0x00, 0x00, 0x01),
		 "WordBusNumber producer window 0-0xFF");
	reset();
	aml_res_io_window(&a, 0xd00, 0xffff);
	is_bytes(BYTES(0x88, 0x0d, 0x00, 0x01, 0x0c, 0x03,
		       0x00, 0x00, 0x00, 0x0d, 0xff, 0xff,
		       0x00, 0x00, 0x00, 0xf3),
		 "WordIO producer window, EntireRange");
	reset();
	aml_res_mem32_window(&a, 0xc0000000, 0xfebfffff);
	is_bytes(BYTES(0x87, 0x17, 0x00, 0x00, 0x0c, 0x03,
		       0, 0, 0, 0, 0x00, 0x00, 0x00, 0xc0,
		       0xff, 0xff, 0xbf, 0xfe, 0, 0, 0, 0,
		       0x00, 0x00, 0xc0, 0x3e),
		 "DWordMemory producer window, cacheable, read-write");
	reset();
	m = aml_res_open(&a);
	aml_res_irq(&a, 8);
	aml_res_close(&a, m);
	is_bytes(BYTES(0x11, 0x08, 0x0a, 0x05, 0x22, 0x00, 0x01, 0x79, 0x00),
		 "a resource template is a Buffer ending in an End Tag");

	reset();
	aml_res_irq(&a, 16);
	is_int(a.err, -EINVAL, "IRQ 16 is not an ISA IRQ");
	reset();
	aml_res_io_window(&a, 0, 0xffff);
	is_int(a.err, -EINVAL, "a 64 KiB window does not fit a Word length");
	reset();
	aml_res_io(&a, 0x70, 0x60, 1, 2);
	is_int(a.err, -EINVAL, "min above max is refused");
}

static void test_no_space(void)
{
	uint8_t small[8];
	size_t m;

	memset(small, 0, sizeof(small));
	aml_init(&a, small, 3);
	aml_integer(&a, 0x10000);
	is_int(a.err, -ENOSPC, "a DWord does not fit in 3 bytes");
	is_int(a.len, 0, "...and nothing of it is written");
	aml_byte(&a, 1);
	is_int(a.len, 0, "after an error every call does nothing");
	ok(small[3] == 0, "nothing past the capacity is touched");

	aml_init(&a, small, 4);
	m = aml_package_open(&a, 1);
	aml_integer(&a, 0x42);
	aml_close(&a, m);
	is_int(a.err, -ENOSPC, "no room to insert the PkgLength at close");

	aml_init(&a, NULL, 100);
	aml_byte(&a, 1);
	is_int(a.err, -ENOSPC, "a writer without a buffer holds nothing");
}

int main(void)
{
	test_pkglen_boundaries();
	test_pkglen_roundtrip();
	test_integers();
	test_strings();
	test_names();
	test_objects();
	test_eisaid();
	test_resources();
	test_no_space();
	return tap_done();
}
