// SPDX-License-Identifier: GPL-2.0
/*
 * The ACPI tables (userspace/devmodel/acpi/), built into a buffer that
 * stands for guest RAM at [PC_ACPI_START, PC_BIOS_END) and read back the
 * way a guest reads them: from the RSDP, through the XSDT and RSDT, by
 * byte offsets from ACPI 6.4 5.2 rather than the builder's structs.  Then
 * ACPICA's iasl disassembles each table (SKIP without acpica-tools), and
 * the DSDT's disassembly must compile back to the same AML.
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "acpi/acpi.h"
#include "pc_layout.h"
#include "tap.h"
#include "test_acpi_iasl.h"

#define REGION_GPA	PC_ACPI_START
#define REGION_SIZE	(PC_BIOS_END - PC_ACPI_START)

static uint8_t region[REGION_SIZE];
static uint64_t used;		/* what acpi_build() returned */

static uint16_t le16(const uint8_t *p)
{
	return p[0] | p[1] << 8;
}

static uint32_t le32(const uint8_t *p)
{
	return le16(p) | (uint32_t)le16(p + 2) << 16;
}

static uint64_t le64(const uint8_t *p)
{
	return le32(p) | (uint64_t)le32(p + 4) << 32;
}

static uint8_t sum(const uint8_t *p, size_t len)
{
	uint8_t s = 0;

	while (len--)
		s += *p++;
	return s;
}

/* Host view of [gpa, gpa + len) if it lies in what was built. */
static const uint8_t *gpa_ptr(uint64_t gpa, uint64_t len)
{
	if (gpa < REGION_GPA || gpa - REGION_GPA > used ||
	    len > used - (gpa - REGION_GPA))
		return NULL;
	return region + (gpa - REGION_GPA);
}

/* A table with a sound header at gpa, or NULL (with a diagnostic). */
static const uint8_t *table_at(uint64_t gpa, const char *sig)
{
	const uint8_t *t = gpa_ptr(gpa, 36);

	if (!t) {
		diag("no table header at 0x%llx", (unsigned long long)gpa);
		return NULL;
	}
	if (sig && memcmp(t, sig, 4)) {
		diag("0x%llx: signature %.4s, want %s",
		     (unsigned long long)gpa, (const char *)t, sig);
		return NULL;
	}
	if (le32(t + 4) < 36 || !gpa_ptr(gpa, le32(t + 4))) {
		diag("%.4s: length %u runs out of the tables", t, le32(t + 4));
		return NULL;
	}
	if (sum(t, le32(t + 4))) {
		diag("%.4s: checksum wrong", t);
		return NULL;
	}
	return t;
}

/* Where the tables were found, for the later checks. */
struct found {
	uint64_t rsdt, xsdt, fadt, madt, dsdt, facs;
};

static void check_ids(const uint8_t *t, unsigned int nr)
{
	ok(!memcmp(t + 10, "VIREO ", 6) && !memcmp(t + 16, "VIREOPC ", 8) &&
	   le32(t + 24) != 0 && memcmp(t + 28, "\0\0\0\0", 4) &&
	   le32(t + 32) != 0,
	   "%u cpus: %.4s has OEM ID \"VIREO \", OEM table ID, creator",
	   nr, t);
}

static int check_rsdp(unsigned int nr, struct found *f)
{
	const uint8_t *r = region;

	ok(!memcmp(r, "RSD PTR ", 8), "%u cpus: RSDP signature at 0x%llx",
	   nr, (unsigned long long)REGION_GPA);
	ok(REGION_GPA % 16 == 0 && REGION_GPA >= 0xe0000 &&
	   REGION_GPA + 36 <= 0x100000,
	   "%u cpus: RSDP 16-byte aligned in 0xE0000-0xFFFFF", nr);
	is_int(sum(r, 20), 0, "%u cpus: RSDP checksum (20 bytes)", nr);
	is_int(sum(r, 36), 0, "%u cpus: RSDP extended checksum (36 bytes)",
	       nr);
	is_int(r[15], 2, "%u cpus: RSDP revision 2", nr);
	is_int(le32(r + 20), 36, "%u cpus: RSDP length 36", nr);
	ok(!memcmp(r + 9, "VIREO ", 6), "%u cpus: RSDP OEM ID", nr);
	f->rsdt = le32(r + 16);
	f->xsdt = le64(r + 24);
	return ok(table_at(f->rsdt, "RSDT") && table_at(f->xsdt, "XSDT"),
		  "%u cpus: RSDP points at a sound RSDT and XSDT", nr);
}

/* RSDT and XSDT list the same tables: exactly one FADT and one MADT. */
static int check_sdts(unsigned int nr, struct found *f)
{
	const uint8_t *rsdt = table_at(f->rsdt, "RSDT");
	const uint8_t *xsdt = table_at(f->xsdt, "XSDT");
	unsigned int i, n = (le32(rsdt + 4) - 36) / 4, same = 1, nfadt = 0,
		     nmadt = 0, sound = 1;
	const uint8_t *t;
	uint64_t a;

	check_ids(rsdt, nr);
	check_ids(xsdt, nr);
	is_int(rsdt[8], 1, "%u cpus: RSDT revision 1", nr);
	is_int(xsdt[8], 1, "%u cpus: XSDT revision 1", nr);
	is_int((le32(xsdt + 4) - 36) / 8, n,
	       "%u cpus: XSDT has as many entries as the RSDT", nr);
	is_int(n, 2, "%u cpus: two tables listed", nr);
	for (i = 0; i < n; i++) {
		a = le64(xsdt + 36 + 8 * i);
		same &= a == le32(rsdt + 36 + 4 * i);
		t = table_at(a, NULL);
		if (!t) {
			sound = 0;
			continue;
		}
		if (!memcmp(t, "FACP", 4)) {
			nfadt++;
			f->fadt = a;
		} else if (!memcmp(t, "APIC", 4)) {
			nmadt++;
			f->madt = a;
		}
	}
	ok(same, "%u cpus: RSDT and XSDT entries agree", nr);
	ok(sound, "%u cpus: every entry is a table with a good checksum", nr);
	return ok(nfadt == 1 && nmadt == 1,
		  "%u cpus: one FADT and one MADT listed", nr);
}

/*
 * A system-I/O generic address of width bits at port, accessed access
 * bytes at a time (ACPI 6.4 5.2.3.2: 1 byte, 2 word, 3 dword).
 */
static int gas_is_io(const uint8_t *g, unsigned int port, unsigned int bits,
		     unsigned int access)
{
	return g[0] == 1 && g[1] == bits && g[2] == 0 && g[3] == access &&
	       le64(g + 4) == port;
}

static void check_fadt_blocks(const uint8_t *t, unsigned int nr)
{
	is_int(le16(t + 46), PC_ACPI_SCI_IRQ, "%u cpus: FADT SCI_INT", nr);
	ok(le32(t + 48) == 0 && t[52] == 0 && t[53] == 0,
	   "%u cpus: FADT SMI_CMD, ACPI_ENABLE/DISABLE 0 (ACPI mode)", nr);
	is_int(le32(t + 56), PC_ACPI_PM1A_EVT, "%u cpus: PM1a_EVT_BLK", nr);
	is_int(le32(t + 64), PC_ACPI_PM1A_CNT, "%u cpus: PM1a_CNT_BLK", nr);
	is_int(le32(t + 76), PC_ACPI_PM_TMR, "%u cpus: PM_TMR_BLK", nr);
	is_int(le32(t + 80), PC_ACPI_GPE0, "%u cpus: GPE0_BLK", nr);
	ok(!le32(t + 60) && !le32(t + 68) && !le32(t + 72) && !le32(t + 84),
	   "%u cpus: no PM1b, PM2 or GPE1 blocks", nr);
	ok(t[88] == 4 && t[89] == 2 && t[90] == 0 && t[91] == 4 &&
	   t[92] == 4 && t[93] == 0,
	   "%u cpus: block lengths PM1_EVT 4, PM1_CNT 2, PM_TMR 4, GPE0 4",
	   nr);
	ok(gas_is_io(t + 148, PC_ACPI_PM1A_EVT, 32, 2) &&
	   gas_is_io(t + 172, PC_ACPI_PM1A_CNT, 16, 2) &&
	   gas_is_io(t + 208, PC_ACPI_PM_TMR, 32, 3) &&
	   gas_is_io(t + 220, PC_ACPI_GPE0, 32, 1),
	   "%u cpus: X_ blocks: same ports, widths 8 * length, PM1 "
	   "registers by words, the timer by dwords, GPEs by bytes", nr);
	ok(!le64(t + 164) && !le64(t + 188) && !le64(t + 200) &&
	   !le64(t + 236),
	   "%u cpus: no X_PM1b, X_PM2 or X_GPE1 blocks", nr);
}

static void check_fadt_flags(const uint8_t *t, unsigned int nr)
{
	uint32_t flags = le32(t + 112);
	uint16_t boot = le16(t + 109);

	ok((flags & 0x425) == 0x425,
	   "%u cpus: flags WBINVD, PROC_C1, SLP_BUTTON, RESET_REG_SUP", nr);
	ok(!(flags & (1 << 8)), "%u cpus: TMR_VAL_EXT clear (24-bit timer)",
	   nr);
	ok(!(flags & (1 << 20)), "%u cpus: not hardware-reduced", nr);
	ok(boot & (1 << 1), "%u cpus: IA-PC boot flags: 8042 present", nr);
	ok(boot & (1 << 2), "%u cpus: IA-PC boot flags: VGA not present", nr);
	ok(!(boot & (1 << 5)), "%u cpus: IA-PC boot flags: CMOS RTC present",
	   nr);
	ok(!(boot & (1 << 3)), "%u cpus: IA-PC boot flags: MSI allowed", nr);
	is_int(t[108], 0x32, "%u cpus: century at CMOS index 0x32", nr);
	ok(gas_is_io(t + 116, PC_RESET_PORT, 8, 1) &&
	   t[128] == PC_RESET_VALUE,
	   "%u cpus: RESET_REG is port 0x%x, value 0x%x", nr, PC_RESET_PORT,
	   PC_RESET_VALUE);
}

static int check_fadt(unsigned int nr, struct found *f)
{
	const uint8_t *t = table_at(f->fadt, "FACP"), *facs;

	check_ids(t, nr);
	ok(t[8] == 6 && t[131] == 4, "%u cpus: FADT revision 6.4", nr);
	is_int(le32(t + 4), 276, "%u cpus: FADT length 276", nr);
	check_fadt_blocks(t, nr);
	check_fadt_flags(t, nr);

	f->dsdt = le32(t + 40);
	is_int(le64(t + 140), f->dsdt, "%u cpus: X_DSDT == DSDT", nr);
	f->facs = le32(t + 36);
	is_int(le64(t + 132), 0,
	       "%u cpus: X_FIRMWARE_CTRL 0 (FIRMWARE_CTRL holds the FACS)",
	       nr);
	facs = gpa_ptr(f->facs, 64);
	ok(facs && f->facs % 64 == 0 && !memcmp(facs, "FACS", 4) &&
	   le32(facs + 4) == 64,
	   "%u cpus: FACS 64-byte aligned, signature, length 64", nr);
	return ok(table_at(f->dsdt, "DSDT") != NULL,
		  "%u cpus: the DSDT is sound", nr);
}

static void check_madt_entry(const uint8_t *e, unsigned int nr,
			     unsigned int *nlapic, unsigned int *nioapic,
			     unsigned int *niso, unsigned int *nnmi)
{
	switch (e[0]) {
	case 0:		/* Processor Local APIC */
		ok(e[1] == 8 && e[2] == *nlapic && e[3] == *nlapic &&
		   le32(e + 4) == 1,
		   "%u cpus: LAPIC entry %u: UID and APIC ID %u, enabled",
		   nr, *nlapic, *nlapic);
		(*nlapic)++;
		break;
	case 1:		/* I/O APIC */
		ok(e[1] == 12 && e[2] == PC_IOAPIC_ID &&
		   le32(e + 4) == PC_IOAPIC_BASE && le32(e + 8) == 0,
		   "%u cpus: IOAPIC ID %u at 0x%llx, GSI base 0", nr,
		   PC_IOAPIC_ID, PC_IOAPIC_BASE);
		(*nioapic)++;
		break;
	case 2:		/* Interrupt Source Override */
		if (e[3] == 0)
			ok(e[1] == 10 && e[2] == 0 && le32(e + 4) == 2 &&
			   le16(e + 8) == 0x5,
			   "%u cpus: ISA IRQ 0 -> GSI 2, edge, active high",
			   nr);
		else
			ok(e[1] == 10 && e[2] == 0 &&
			   e[3] == PC_ACPI_SCI_IRQ &&
			   le32(e + 4) == PC_ACPI_SCI_IRQ &&
			   le16(e + 8) == 0xd,
			   "%u cpus: SCI IRQ 9 -> GSI 9, level, active high",
			   nr);
		(*niso)++;
		break;
	case 4:		/* Local APIC NMI */
		ok(e[1] == 6 && e[2] == 0xff && e[5] == 1,
		   "%u cpus: LAPIC NMI on LINT1 of all processors", nr);
		(*nnmi)++;
		break;
	default:
		ok(0, "%u cpus: unexpected MADT entry type %u", nr, e[0]);
	}
}

static void check_madt(unsigned int nr, struct found *f)
{
	const uint8_t *t = table_at(f->madt, "APIC");
	unsigned int off, len = le32(t + 4), nlapic = 0, nioapic = 0,
		     niso = 0, nnmi = 0;

	check_ids(t, nr);
	is_int(le32(t + 36), PC_LAPIC_BASE, "%u cpus: local APIC address", nr);
	is_int(le32(t + 40) & 1, 1, "%u cpus: PCAT_COMPAT", nr);
	for (off = 44; off + 2 <= len; off += t[off + 1]) {
		if (t[off + 1] < 2 || off + t[off + 1] > len)
			break;
		check_madt_entry(t + off, nr, &nlapic, &nioapic, &niso, &nnmi);
	}
	is_int(off, len, "%u cpus: MADT entries fill the table exactly", nr);
	is_int(nlapic, nr, "%u cpus: one LAPIC entry per vCPU", nr);
	ok(nioapic == 1 && niso == 2 && nnmi == 1,
	   "%u cpus: one IOAPIC, two overrides, one NMI entry", nr);
}

static size_t count(const uint8_t *hay, size_t n, const void *needle,
		    size_t len)
{
	const uint8_t *p = hay, *end = hay + n;
	size_t c = 0;

	while ((p = memmem(p, end - p, needle, len))) {
		c++;
		p++;
	}
	return c;
}

#define HAS(t, n, ...)	count(t, n, (const uint8_t[]){ __VA_ARGS__ }, \
			      sizeof((const uint8_t[]){ __VA_ARGS__ }))

static void check_dsdt(unsigned int nr, struct found *f)
{
	const uint8_t *t = table_at(f->dsdt, "DSDT"), *s5;
	size_t len = le32(t + 4);

	check_ids(t, nr);
	is_int(t[8], 2, "%u cpus: DSDT revision 2 (64-bit integers)", nr);
	s5 = memmem(t, len, "\x08_S5_", 5);
	ok(s5 && s5 + 15 <= t + len && s5[5] == 0x12 && s5[7] == 4 &&
	   s5[8] == 0x0a && s5[9] == PC_ACPI_S5_TYP && s5[10] == 0x0a &&
	   s5[11] == PC_ACPI_S5_TYP && s5[12] == 0 && s5[13] == 0,
	   "%u cpus: Name(_S5_, Package(4) { %d, %d, 0, 0 })", nr,
	   PC_ACPI_S5_TYP, PC_ACPI_S5_TYP);
	is_int(count(t, len, "\x0d" "ACPI0007", 9), nr,
	       "%u cpus: one ACPI0007 processor device per vCPU", nr);
	ok(HAS(t, len, 0x08, '_', 'H', 'I', 'D', 0x0c, 0x41, 0xd0, 0x0a, 0x03),
	   "%u cpus: _HID EisaId(PNP0A03)", nr);
	ok(HAS(t, len, 0x08, '_', 'P', 'R', 'T', 0x12) &&
	   HAS(t, len, 0x12, 0x0c, 0x04, 0x0c, 0xff, 0xff, 0x1f, 0x00,
	       0x0a, 0x03, 0x00, 0x0a, 16 + (31 + 3) % 8),
	   "%u cpus: _PRT, last entry slot 31 INTD -> GSI 18", nr);
	ok(HAS(t, len, 0x0c, 0x41, 0xd0, 0x05, 0x01) &&
	   HAS(t, len, 0x47, 0x01, 0xf8, 0x03, 0xf8, 0x03, 0x01, 0x08,
	       0x22, 0x10, 0x00),
	   "%u cpus: COM1: PNP0501, IO 0x3F8-0x3FF, IRQ 4", nr);
	ok(HAS(t, len, 0x0c, 0x41, 0xd0, 0x0b, 0x00) &&
	   HAS(t, len, 0x47, 0x01, 0x70, 0x00, 0x70, 0x00, 0x01, 0x02,
	       0x22, 0x00, 0x01),
	   "%u cpus: RTC: PNP0B00, IO 0x70-0x71, IRQ 8", nr);
	ok(HAS(t, len, 0x0c, 0x41, 0xd0, 0x03, 0x03) &&
	   HAS(t, len, 0x47, 0x01, 0x60, 0x00, 0x60, 0x00, 0x01, 0x01,
	       0x47, 0x01, 0x64, 0x00, 0x64, 0x00, 0x01, 0x01,
	       0x22, 0x02, 0x00),
	   "%u cpus: KBD: PNP0303, IO 0x60 and 0x64, IRQ 1", nr);
	ok(HAS(t, len, 0x87, 0x17, 0x00, 0x00, 0x0c, 0x03, 0, 0, 0, 0,
	       0x00, 0x00, 0x00, 0xc0, 0xff, 0xff, 0xbf, 0xfe),
	   "%u cpus: PCI0 memory window 0xC0000000-0xFEBFFFFF", nr);
}

/* No two of the tables share a byte. */
static void check_no_overlap(unsigned int nr, const struct found *f)
{
	uint64_t a[7][2] = {
		{ REGION_GPA, 36 }, { f->facs, 64 },
		{ f->rsdt, 0 }, { f->xsdt, 0 }, { f->fadt, 0 },
		{ f->madt, 0 }, { f->dsdt, 0 },
	};
	unsigned int i, j, clash = 0;

	for (i = 2; i < 7; i++)
		a[i][1] = le32(gpa_ptr(a[i][0], 8) + 4);
	for (i = 0; i < 7; i++)
		for (j = i + 1; j < 7; j++)
			clash += a[i][0] < a[j][0] + a[j][1] &&
				 a[j][0] < a[i][0] + a[i][1];
	ok(!clash, "%u cpus: the tables do not overlap", nr);
}

static void test_tables(unsigned int nr)
{
	struct acpi_config cfg = { .nr_cpus = nr };
	struct iasl_tables it;
	struct found f = { 0 };
	int ret;

	memset(region, 0xa5, sizeof(region));
	ret = acpi_build(region, REGION_GPA, REGION_SIZE, &cfg);
	if (!ok(ret > 0 && ret <= (int)REGION_SIZE,
		"%u cpus: acpi_build() returns the bytes used (%d)", nr, ret))
		return;
	used = ret;
	ok(region[used] == 0 && region[REGION_SIZE - 1] == 0,
	   "%u cpus: the rest of the region is zeroed", nr);
	if (!check_rsdp(nr, &f) || !check_sdts(nr, &f) || !check_fadt(nr, &f))
		return;
	check_madt(nr, &f);
	check_dsdt(nr, &f);
	check_no_overlap(nr, &f);

	it = (struct iasl_tables){
		.nr_cpus = nr,
		.rsdt = gpa_ptr(f.rsdt, 36), .xsdt = gpa_ptr(f.xsdt, 36),
		.fadt = gpa_ptr(f.fadt, 36), .madt = gpa_ptr(f.madt, 36),
		.dsdt = gpa_ptr(f.dsdt, 36), .facs = gpa_ptr(f.facs, 64),
	};
	test_acpi_iasl(&it);
}

static void test_errors(void)
{
	struct acpi_config cfg = { .nr_cpus = 64 };
	int need, ret;

	need = acpi_build(region, REGION_GPA, REGION_SIZE, &cfg);
	is_int(acpi_build(region, REGION_GPA, need, &cfg), need,
	       "a region of exactly the size needed is enough");
	memset(region, 0xa5, sizeof(region));
	ret = acpi_build(region, REGION_GPA, need - 1, &cfg);
	is_int(ret, -ENOSPC, "one byte less: -ENOSPC");
	ok(region[0] == 0 && region[need - 2] == 0 && region[need - 1] == 0xa5,
	   "...the region is left zeroed, nothing past it touched");
	is_int(acpi_build(region, REGION_GPA, 16, &cfg), -ENOSPC,
	       "16 bytes: -ENOSPC");
	is_int(acpi_build(region, REGION_GPA, 0, &cfg), -ENOSPC,
	       "0 bytes: -ENOSPC");

	cfg.nr_cpus = 0;
	is_int(acpi_build(region, REGION_GPA, REGION_SIZE, &cfg), -EINVAL,
	       "0 vCPUs: -EINVAL");
	cfg.nr_cpus = ACPI_MAX_CPUS + 1;
	is_int(acpi_build(region, REGION_GPA, REGION_SIZE, &cfg), -EINVAL,
	       "%u vCPUs: -EINVAL", ACPI_MAX_CPUS + 1);
	cfg.nr_cpus = 1;
	is_int(acpi_build(region, REGION_GPA + 8, REGION_SIZE - 8, &cfg),
	       -EINVAL, "a start not 16-byte aligned: -EINVAL");
	is_int(acpi_build(region, 0xfffff000ULL, 0x2000, &cfg), -EINVAL,
	       "a region crossing 4 GiB: -EINVAL");
	is_int(acpi_build(region, REGION_GPA, REGION_SIZE, NULL), -EINVAL,
	       "no config: -EINVAL");
	is_int(acpi_build(NULL, REGION_GPA, REGION_SIZE, &cfg), -EINVAL,
	       "no memory: -EINVAL");
}

/* Another start address moves every pointer with it. */
static void test_relocated(void)
{
	static uint8_t a[0x4000], b[0x4000];
	struct acpi_config cfg = { .nr_cpus = 2 };
	int na, nb;

	na = acpi_build(a, 0xe0000, sizeof(a), &cfg);
	nb = acpi_build(b, 0xf0000, sizeof(b), &cfg);
	ok(na > 0 && na == nb, "same size at another address");
	is_int(le32(b + 16) - le32(a + 16), 0x10000,
	       "the RSDT address moves with the region");
	nb = acpi_build(b, 0xe0000, sizeof(b), &cfg);
	ok(nb == na && !memcmp(a, b, na),
	   "building twice gives the same bytes");
}

int main(void)
{
	test_tables(1);
	test_tables(2);
	test_tables(64);
	test_errors();
	test_relocated();
	return tap_done();
}
