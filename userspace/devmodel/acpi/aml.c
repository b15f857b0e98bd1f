// SPDX-License-Identifier: GPL-2.0
/*
 * AML encoding: ACPI 6.4 20.2, "AML Grammar Definition".
 */
#include <errno.h>
#include <string.h>

#include "aml.h"

/* ACPI 6.4 20.2.3 (data objects), 20.2.5 (term objects). */
#define AML_ZERO_OP		0x00
#define AML_ONE_OP		0x01
#define AML_NAME_OP		0x08
#define AML_BYTE_PREFIX		0x0a
#define AML_WORD_PREFIX		0x0b
#define AML_DWORD_PREFIX	0x0c
#define AML_STRING_PREFIX	0x0d
#define AML_QWORD_PREFIX	0x0e
#define AML_SCOPE_OP		0x10
#define AML_BUFFER_OP		0x11
#define AML_PACKAGE_OP		0x12
#define AML_EXT_OP_PREFIX	0x5b
#define AML_DEVICE_OP		0x82	/* after AML_EXT_OP_PREFIX */

/* ACPI 6.4 20.2.2, name objects. */
#define AML_NULL_NAME		0x00
#define AML_DUAL_NAME_PREFIX	0x2e
#define AML_MULTI_NAME_PREFIX	0x2f
#define AML_ROOT_CHAR		'\\'
#define AML_PARENT_PREFIX_CHAR	'^'
#define AML_NAME_SEG_LEN	4

void aml_fail(struct aml *a, int err)
{
	if (!a->err)
		a->err = err;
}

void aml_init(struct aml *a, uint8_t *buf, size_t cap)
{
	a->buf = buf;
	a->len = 0;
	a->cap = buf ? cap : 0;
	a->err = 0;
}

/* Insert n bytes at offset at, moving what follows. */
static void aml_insert(struct aml *a, size_t at, const uint8_t *p, size_t n)
{
	if (a->err)
		return;
	if (at > a->len) {
		aml_fail(a, -EINVAL);
		return;
	}
	if (n > a->cap - a->len) {
		aml_fail(a, -ENOSPC);
		return;
	}
	memmove(a->buf + at + n, a->buf + at, a->len - at);
	memcpy(a->buf + at, p, n);
	a->len += n;
}

void aml_bytes(struct aml *a, const void *p, size_t n)
{
	aml_insert(a, a->len, p, n);
}

void aml_byte(struct aml *a, uint8_t v)
{
	aml_bytes(a, &v, 1);
}

void aml_le(struct aml *a, uint64_t v, unsigned int n)
{
	uint8_t b[8];
	unsigned int i;

	if (n > sizeof(b)) {
		aml_fail(a, -EINVAL);
		return;
	}
	for (i = 0; i < n; i++)
		b[i] = v >> (8 * i);
	aml_bytes(a, b, n);
}

/*
 * ACPI 6.4 20.2.4: the PkgLength counts itself.  One byte holds up to 63
 * in bits 5:0; otherwise bits 7:6 of the lead byte say how many bytes
 * follow (1-3), its bits 3:0 are the low nibble and each following byte
 * the next 8 bits.
 */
int aml_pkglen_encode(size_t content_len, uint8_t out[4])
{
	size_t total = 0;
	unsigned int n, i;

	if (content_len + 1 <= 0x3f) {
		out[0] = content_len + 1;
		return 1;
	}
	for (n = 2; n <= 4; n++) {
		total = content_len + n;
		if (total < (1UL << (4 + 8 * (n - 1))))
			break;
	}
	if (n > 4 || total > AML_PKGLEN_MAX)
		return -EINVAL;
	out[0] = (n - 1) << 6 | (total & 0x0f);
	for (i = 1; i < n; i++)
		out[i] = total >> (4 + 8 * (i - 1));
	return n;
}

static unsigned int aml_integer_encode(uint64_t v, uint8_t out[9])
{
	unsigned int n, i;

	if (v <= 1) {
		out[0] = v ? AML_ONE_OP : AML_ZERO_OP;
		return 1;
	}
	if (v <= 0xff) {
		out[0] = AML_BYTE_PREFIX;
		n = 1;
	} else if (v <= 0xffff) {
		out[0] = AML_WORD_PREFIX;
		n = 2;
	} else if (v <= 0xffffffff) {
		out[0] = AML_DWORD_PREFIX;
		n = 4;
	} else {
		out[0] = AML_QWORD_PREFIX;
		n = 8;
	}
	for (i = 0; i < n; i++)
		out[1 + i] = v >> (8 * i);
	return 1 + n;
}

void aml_integer(struct aml *a, uint64_t v)
{
	uint8_t b[9];

	aml_bytes(a, b, aml_integer_encode(v, b));
}

/* ACPI 6.4 20.2.3: AsciiChar is 0x01-0x7F; keep to printable ones. */
void aml_string(struct aml *a, const char *s)
{
	size_t i, n = strlen(s);

	for (i = 0; i < n; i++) {
		if (s[i] < 0x20 || s[i] > 0x7e) {
			aml_fail(a, -EINVAL);
			return;
		}
	}
	aml_byte(a, AML_STRING_PREFIX);
	aml_bytes(a, s, n + 1);
}

static int name_char_ok(char c, int lead)
{
	if ((c >= 'A' && c <= 'Z') || c == '_')
		return 1;
	return !lead && c >= '0' && c <= '9';
}

/* One NameSeg from s[0..n), padded with '_'; -EINVAL if malformed. */
static int name_seg(const char *s, size_t n, uint8_t seg[AML_NAME_SEG_LEN])
{
	size_t i;

	if (n == 0 || n > AML_NAME_SEG_LEN)
		return -EINVAL;
	for (i = 0; i < AML_NAME_SEG_LEN; i++) {
		seg[i] = i < n ? s[i] : '_';
		if (!name_char_ok(seg[i], i == 0))
			return -EINVAL;
	}
	return 0;
}

/*
 * Walk the segments of path (after its prefix): check each, and write it
 * when emit is set.  Returns the number of segments or -EINVAL.
 */
static int name_segs(struct aml *a, const char *path, int emit)
{
	uint8_t seg[AML_NAME_SEG_LEN];
	const char *dot;
	int count = 0;
	size_t n;

	if (!*path)
		return 0;
	for (;;) {
		dot = strchr(path, '.');
		n = dot ? (size_t)(dot - path) : strlen(path);
		if (name_seg(path, n, seg))
			return -EINVAL;
		if (emit)
			aml_bytes(a, seg, sizeof(seg));
		count++;
		if (!dot)
			return count;
		path = dot + 1;
	}
}

void aml_namestring(struct aml *a, const char *path)
{
	const char *p = path;
	int count;

	if (*p == AML_ROOT_CHAR)
		p++;
	else
		while (*p == AML_PARENT_PREFIX_CHAR)
			p++;
	count = name_segs(a, p, 0);
	/* A bare "" names nothing; "\" alone is the root (NullName). */
	if (count < 0 || count > 0xff || (count == 0 && p == path)) {
		aml_fail(a, -EINVAL);
		return;
	}
	aml_bytes(a, path, p - path);
	if (count == 0)
		aml_byte(a, AML_NULL_NAME);
	else if (count == 2)
		aml_byte(a, AML_DUAL_NAME_PREFIX);
	else if (count > 2) {
		aml_byte(a, AML_MULTI_NAME_PREFIX);
		aml_byte(a, count);
	}
	name_segs(a, p, 1);
}

void aml_name(struct aml *a, const char *name)
{
	aml_byte(a, AML_NAME_OP);
	aml_namestring(a, name);
}

size_t aml_scope_open(struct aml *a, const char *name)
{
	size_t mark;

	aml_byte(a, AML_SCOPE_OP);
	mark = a->len;
	aml_namestring(a, name);
	return mark;
}

size_t aml_device_open(struct aml *a, const char *name)
{
	size_t mark;

	aml_byte(a, AML_EXT_OP_PREFIX);
	aml_byte(a, AML_DEVICE_OP);
	mark = a->len;
	aml_namestring(a, name);
	return mark;
}

/* NumElements is a ByteData (ACPI 6.4 20.2.5.4, DefPackage). */
size_t aml_package_open(struct aml *a, unsigned int nr_elements)
{
	size_t mark;

	if (nr_elements > 0xff)
		aml_fail(a, -EINVAL);
	aml_byte(a, AML_PACKAGE_OP);
	mark = a->len;
	aml_byte(a, nr_elements);
	return mark;
}

size_t aml_buffer_open(struct aml *a)
{
	aml_byte(a, AML_BUFFER_OP);
	return a->len;
}

void aml_close(struct aml *a, size_t mark)
{
	uint8_t pkglen[4];
	int n;

	if (a->err)
		return;
	if (mark == 0 || mark > a->len) {
		aml_fail(a, -EINVAL);
		return;
	}
	n = aml_pkglen_encode(a->len - mark, pkglen);
	if (n < 0) {
		aml_fail(a, n);
		return;
	}
	aml_insert(a, mark, pkglen, n);
}

/* DefBuffer := BufferOp PkgLength BufferSize ByteList (ACPI 6.4 20.2.5.4) */
void aml_buffer_close(struct aml *a, size_t mark)
{
	uint8_t size[9];

	if (a->err)
		return;
	if (mark == 0 || mark > a->len) {
		aml_fail(a, -EINVAL);
		return;
	}
	aml_insert(a, mark, size, aml_integer_encode(a->len - mark, size));
	aml_close(a, mark);
}

static int hex_digit(char c)
{
	if (c >= '0' && c <= '9')
		return c - '0';
	if (c >= 'A' && c <= 'F')
		return c - 'A' + 10;
	return -1;
}

/*
 * ACPI 6.4 19.6, EISAID (EISA ID String To Integer Conversion Macro):
 * bits 30:16 hold the three letters, 5 bits each ('A' is 1), bits 15:0 the
 * product number; the DWord is stored with its bytes swapped, so "PNP"
 * lands in the first two bytes in memory.
 */
int aml_eisaid_encode(const char *id, uint32_t *out)
{
	uint32_t v = 0;
	int i, d;

	if (strlen(id) != 7)
		return -EINVAL;
	for (i = 0; i < 3; i++) {
		if (id[i] < 'A' || id[i] > 'Z')
			return -EINVAL;
		v |= (uint32_t)(id[i] - 'A' + 1) << (26 - 5 * i);
	}
	for (i = 3; i < 7; i++) {
		d = hex_digit(id[i]);
		if (d < 0)
			return -EINVAL;
		v |= (uint32_t)d << (4 * (6 - i));
	}
	*out = __builtin_bswap32(v);
	return 0;
}

/* Always a DWord, as ASL compilers emit it, whatever its value. */
void aml_eisaid(struct aml *a, const char *id)
{
	uint32_t v;

	if (aml_eisaid_encode(id, &v)) {
		aml_fail(a, -EINVAL);
		return;
	}
	aml_byte(a, AML_DWORD_PREFIX);
	aml_le(a, v, 4);
}
