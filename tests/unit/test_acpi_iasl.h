/* SPDX-License-Identifier: GPL-2.0 */
/*
 * test_acpi's second opinion: ACPICA's iasl (acpica-tools) disassembles
 * each table, must report no error, warning or bad checksum, and its
 * output must say what pc_layout.h says.  The DSDT's disassembly must then
 * compile back, without errors or warnings, to exactly our AML.  Without
 * iasl this part is one TAP SKIP.
 *
 * Included by test_acpi.c only: tap.h keeps its counters per file.
 */
#ifndef VIREO_TEST_ACPI_IASL_H
#define VIREO_TEST_ACPI_IASL_H

#include <ctype.h>
#include <stdarg.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>

#include "pc_layout.h"
#include "tap.h"

/* Header-first tables, as found in guest memory. */
struct iasl_tables {
	unsigned int nr_cpus;
	const uint8_t *rsdt, *xsdt, *fadt, *madt, *dsdt, *facs;
};

static char iasl_dir[] = "/tmp/vireo-test-acpi-XXXXXX";
static int iasl_failed;

static uint32_t iasl_le32(const uint8_t *p)
{
	return p[0] | p[1] << 8 | p[2] << 16 | (uint32_t)p[3] << 24;
}

static __attribute__((format(printf, 1, 2))) int iasl_run(const char *fmt,
							  ...)
{
	char cmd[512];
	va_list ap;
	int st;

	va_start(ap, fmt);
	vsnprintf(cmd, sizeof(cmd), fmt, ap);
	va_end(ap);
	st = system(cmd);
	return st != -1 && WIFEXITED(st) ? WEXITSTATUS(st) : -1;
}

static int iasl_write(const char *name, const void *p, size_t n)
{
	char path[128];
	FILE *f;
	int good;

	snprintf(path, sizeof(path), "%s/%s", iasl_dir, name);
	f = fopen(path, "wb");
	if (!f)
		return 0;
	good = fwrite(p, 1, n, f) == n;
	return fclose(f) == 0 && good;
}

/* The whole file, NUL-terminated; NULL if unreadable.  *len if asked. */
static char *iasl_read(const char *name, size_t *len)
{
	char path[128], *buf;
	long n;
	FILE *f;

	snprintf(path, sizeof(path), "%s/%s", iasl_dir, name);
	f = fopen(path, "rb");
	if (!f)
		return NULL;
	fseek(f, 0, SEEK_END);
	n = ftell(f);
	rewind(f);
	buf = n >= 0 ? malloc(n + 1) : NULL;
	if (buf && fread(buf, 1, n, f) != (size_t)n) {
		free(buf);
		buf = NULL;
	}
	fclose(f);
	if (buf) {
		buf[n] = '\0';
		if (len)
			*len = n;
	}
	return buf;
}

/*
 * ASL without comments or white space, so expectations do not depend on
 * iasl's layout: `Name (_UID, Zero)  // _UID: Unique ID` -> `Name(_UID,Zero)`.
 */
static char *iasl_squeeze_asl(const char *s)
{
	char *out = malloc(strlen(s) + 1), *o = out;

	while (out && *s) {
		if (s[0] == '/' && s[1] == '*') {
			s = strstr(s + 2, "*/");
			s = s ? s + 2 : "";
		} else if (s[0] == '/' && s[1] == '/') {
			s += strcspn(s, "\n");
		} else if (!isspace((unsigned char)*s)) {
			*o++ = *s++;
		} else {
			s++;
		}
	}
	if (out)
		*o = '\0';
	return out;
}

/*
 * A data table's dump without the "[024h 0036   4]" offsets at line starts
 * or white space: "Local Apic Address : FEE00000" becomes
 * "LocalApicAddress:FEE00000".
 */
static char *iasl_squeeze_data(const char *s)
{
	char *out = malloc(strlen(s) + 1), *o = out;
	int line_start = 1;

	while (out && *s) {
		if (line_start && *s == '[' && strchr(s, ']')) {
			s = strchr(s, ']') + 1;
			line_start = 0;
		} else if (*s == '\n') {
			line_start = 1;
			s++;
		} else if (isspace((unsigned char)*s)) {
			s++;
		} else {
			line_start = 0;
			*o++ = *s++;
		}
	}
	if (out)
		*o = '\0';
	return out;
}

static unsigned int iasl_count(const char *hay, const char *needle)
{
	unsigned int n = 0;

	while ((hay = strstr(hay, needle))) {
		n++;
		hay++;
	}
	return n;
}

static __attribute__((format(printf, 3, 4)))
int iasl_has(const char *text, unsigned int nr, const char *fmt, ...)
{
	char want[512];
	va_list ap;
	int good;

	va_start(ap, fmt);
	vsnprintf(want, sizeof(want), fmt, ap);
	va_end(ap);
	good = text && strstr(text, want);
	ok(good, "%u cpus: iasl: %s", nr, want);
	iasl_failed |= !good;
	return good;
}

/*
 * Disassemble one table (NAME.dat -> NAME.dsl) and check iasl had nothing
 * to complain about.  Returns the squeezed listing, or NULL.
 */
static char *iasl_disassemble(const char *name, const uint8_t *t,
			      unsigned int nr)
{
	char file[32], *log, *dsl, *out = NULL;
	int rc, good;

	snprintf(file, sizeof(file), "%s.dat", name);
	rc = iasl_write(file, t, iasl_le32(t + 4)) ?
	     iasl_run("cd '%s' && iasl -d %s.dat >%s.log 2>&1", iasl_dir,
		      name, name) : -1;
	snprintf(file, sizeof(file), "%s.log", name);
	log = iasl_read(file, NULL);
	snprintf(file, sizeof(file), "%s.dsl", name);
	dsl = iasl_read(file, NULL);
	good = rc == 0 && log && dsl && !strstr(log, "Error") &&
	       !strstr(log, "Warning") && !strstr(log, "Incorrect") &&
	       !strstr(dsl, "Incorrect") && !strstr(dsl, "Error");
	ok(good, "%u cpus: iasl -d %.4s: disassembled, no error, warning "
	   "or bad checksum", nr, t);
	iasl_failed |= !good;
	if (dsl)
		out = !strcmp(name, "dsdt") ? iasl_squeeze_asl(dsl) :
					      iasl_squeeze_data(dsl);
	free(log);
	free(dsl);
	return out;
}

static void iasl_check_prt(const char *asl, unsigned int nr)
{
	static const char *const pins[] = { "Zero", "One", "0x02", "0x03" };
	unsigned int slot, pin, found = 0;
	char addr[16], want[96];

	/* iasl prints the smallest hex form: slot 0 is just 0xFFFF. */
	for (slot = 0; slot < 32; slot++) {
		if (slot)
			snprintf(addr, sizeof(addr), "0x%04XFFFF", slot);
		else
			strcpy(addr, "0xFFFF");
		for (pin = 0; pin < 4; pin++) {
			snprintf(want, sizeof(want),
				 "Package(0x04){%s,%s,Zero,0x%02X}", addr,
				 pins[pin], 16 + (slot + pin) % 8);
			found += strstr(asl, want) != NULL;
		}
	}
	is_int(found, 128, "%u cpus: iasl: _PRT routes 32 slots x 4 pins to "
	       "GSI 16 + (slot + pin) %% 8", nr);
	iasl_failed |= found != 128;
	iasl_has(asl, nr, "Name(_PRT,Package(0x80){");
}

static void iasl_check_dsdt_devices(const char *asl, unsigned int nr)
{
	iasl_has(asl, nr, "Device(COM1){Name(_HID,EisaId(\"PNP0501\"))"
		 "Name(_CRS,ResourceTemplate(){IO(Decode16,0x%04X,0x%04X,"
		 "0x01,0x08,)IRQNoFlags(){%d}})}", PC_COM1, PC_COM1,
		 PC_IRQ_COM1);
	iasl_has(asl, nr, "Device(RTC){Name(_HID,EisaId(\"PNP0B00\"))"
		 "Name(_CRS,ResourceTemplate(){IO(Decode16,0x%04X,0x%04X,"
		 "0x01,0x02,)IRQNoFlags(){%d}})}", PC_RTC, PC_RTC, PC_IRQ_RTC);
	iasl_has(asl, nr, "Device(KBD){Name(_HID,EisaId(\"PNP0303\"))"
		 "Name(_CRS,ResourceTemplate(){IO(Decode16,0x%04X,0x%04X,"
		 "0x01,0x01,)IO(Decode16,0x%04X,0x%04X,0x01,0x01,)"
		 "IRQNoFlags(){%d}})}", PC_I8042_DATA, PC_I8042_DATA,
		 PC_I8042_CMD, PC_I8042_CMD, PC_IRQ_KBD);
}

static void iasl_check_dsdt(const char *asl, unsigned int nr)
{
	const char *s5 = asl ? strstr(asl, "Name(_S5,Package(0x04)") : NULL;
	char want[64];

	snprintf(want, sizeof(want), "{0x%02X,0x%02X,Zero,Zero}",
		 PC_ACPI_S5_TYP, PC_ACPI_S5_TYP);
	ok(s5 && !strncmp(strchr(s5, '{'), want, strlen(want)),
	   "%u cpus: iasl: Name(_S5,Package(0x04)%s)", nr, want);
	if (!asl)
		return;
	is_int(iasl_count(asl, "Name(_HID,\"ACPI0007\")"), nr,
	       "%u cpus: iasl: one processor device per vCPU", nr);
	iasl_has(asl, nr, "Scope(_SB){");
	iasl_has(asl, nr, "Device(PCI0){Name(_HID,EisaId(\"PNP0A03\"))"
		 "Name(_UID,Zero)Name(_BBN,Zero)Name(_SEG,Zero)");
	iasl_has(asl, nr, "WordBusNumber(ResourceProducer,MinFixed,MaxFixed,"
		 "PosDecode,0x0000,0x0000,0x00FF,0x0000,0x0100,");
	iasl_has(asl, nr, "IO(Decode16,0x0CF8,0x0CF8,0x01,0x08,)");
	iasl_has(asl, nr, "WordIO(ResourceProducer,MinFixed,MaxFixed,"
		 "PosDecode,EntireRange,0x0000,0x0000,0x0CF7,0x0000,0x0CF8,");
	iasl_has(asl, nr, "WordIO(ResourceProducer,MinFixed,MaxFixed,"
		 "PosDecode,EntireRange,0x0000,0x0D00,0xFFFF,0x0000,0xF300,");
	iasl_has(asl, nr, "DWordMemory(ResourceProducer,PosDecode,MinFixed,"
		 "MaxFixed,Cacheable,ReadWrite,0x00000000,0x%08llX,0x%08llX,"
		 "0x00000000,0x%08llX,", PC_PCI_HOLE, PC_IOAPIC_BASE - 1,
		 PC_IOAPIC_BASE - PC_PCI_HOLE);
	iasl_check_prt(asl, nr);
	iasl_check_dsdt_devices(asl, nr);
}

/* iasl compiles its own disassembly back to the very same AML. */
static void iasl_check_roundtrip(const uint8_t *dsdt, unsigned int nr)
{
	size_t len = iasl_le32(dsdt + 4), aml_len = 0;
	char *log, *aml;
	int rc, good;

	rc = iasl_run("cd '%s' && iasl -p rt dsdt.dsl >rt.log 2>&1",
		      iasl_dir);
	log = iasl_read("rt.log", NULL);
	good = rc == 0 && log && strstr(log, " 0 Errors, 0 Warnings");
	ok(good, "%u cpus: iasl compiles the DSDT listing: 0 errors, 0 "
	   "warnings", nr);
	iasl_failed |= !good;
	aml = iasl_read("rt.aml", &aml_len);
	good = aml && aml_len == len && !memcmp(aml + 36, dsdt + 36, len - 36);
	ok(good, "%u cpus: ...to the same AML as ours (%zu bytes)", nr, len);
	iasl_failed |= !good;
	free(log);
	free(aml);
}

static void iasl_check_fadt(const char *d, const struct iasl_tables *t)
{
	unsigned int nr = t->nr_cpus;

	iasl_has(d, nr, "Revision:06");
	iasl_has(d, nr, "FACSAddress:%08X", iasl_le32(t->fadt + 36));
	iasl_has(d, nr, "DSDTAddress:%016llX",
		 (unsigned long long)iasl_le32(t->fadt + 40));
	iasl_has(d, nr, "SCIInterrupt:%04X", PC_ACPI_SCI_IRQ);
	iasl_has(d, nr, "SMICommandPort:00000000");
	iasl_has(d, nr, "PM1AEventBlockAddress:%08X", PC_ACPI_PM1A_EVT);
	iasl_has(d, nr, "PM1AControlBlockAddress:%08X", PC_ACPI_PM1A_CNT);
	iasl_has(d, nr, "PMTimerBlockAddress:%08X", PC_ACPI_PM_TMR);
	iasl_has(d, nr, "GPE0BlockAddress:%08X", PC_ACPI_GPE0);
	iasl_has(d, nr, "PM1EventBlockLength:04PM1ControlBlockLength:02"
		 "PM2ControlBlockLength:00PMTimerBlockLength:04"
		 "GPE0BlockLength:04");
	iasl_has(d, nr, "RTCCenturyIndex:32");
	iasl_has(d, nr, "8042Presentonports60/64(V2):1");
	iasl_has(d, nr, "VGANotPresent(V4):1");
	iasl_has(d, nr, "CMOSRTCNotPresent(V5):0");
	iasl_has(d, nr, "WBINVDinstructionisoperational(V1):1");
	iasl_has(d, nr, "AllCPUssupportC1(V1):1");
	iasl_has(d, nr, "ControlMethodSleepButton(V1):1");
	iasl_has(d, nr, "32-bitPMTimer(V1):0");
	iasl_has(d, nr, "ResetRegisterSupported(V2):1");
	iasl_has(d, nr, "HardwareReduced(V5):0");
	iasl_has(d, nr, "SpaceID:01[SystemIO]BitWidth:08BitOffset:00"
		 "EncodedAccessWidth:01[ByteAccess:8]Address:%016X"
		 "Valuetocausereset:%02X", PC_RESET_PORT, PC_RESET_VALUE);
	iasl_has(d, nr, "FADTMinorRevision:04");
	iasl_has(d, nr, "PM1AEventBlock:[GenericAddressStructure]SpaceID:01"
		 "[SystemIO]BitWidth:20BitOffset:00EncodedAccessWidth:02"
		 "[WordAccess:16]Address:%016X", PC_ACPI_PM1A_EVT);
	iasl_has(d, nr, "PM1AControlBlock:[GenericAddressStructure]"
		 "SpaceID:01[SystemIO]BitWidth:10");
	iasl_has(d, nr, "Address:%016X", PC_ACPI_PM_TMR);
	iasl_has(d, nr, "Address:%016X", PC_ACPI_GPE0);
}

static void iasl_check_madt(const char *d, unsigned int nr)
{
	unsigned int i, found = 0;
	char want[160];

	iasl_has(d, nr, "LocalApicAddress:%08llX", PC_LAPIC_BASE);
	iasl_has(d, nr, "PC-ATCompatibility:1");
	for (i = 0; i < nr && d; i++) {
		snprintf(want, sizeof(want),
			 "SubtableType:00[ProcessorLocalAPIC]Length:08"
			 "ProcessorID:%02XLocalApicID:%02X"
			 "Flags(decodedbelow):00000001ProcessorEnabled:1",
			 i, i);
		found += strstr(d, want) != NULL;
	}
	is_int(found, nr, "%u cpus: iasl: enabled Local APICs 0..%u", nr,
	       nr - 1);
	iasl_failed |= found != nr;
	iasl_has(d, nr, "SubtableType:01[I/OAPIC]Length:0CI/OApicID:%02X"
		 "Reserved:00Address:%08llXInterrupt:00000000", PC_IOAPIC_ID,
		 PC_IOAPIC_BASE);
	iasl_has(d, nr, "SubtableType:02[InterruptSourceOverride]Length:0A"
		 "Bus:00Source:00Interrupt:00000002Flags(decodedbelow):0005"
		 "Polarity:1TriggerMode:1");
	iasl_has(d, nr, "SubtableType:02[InterruptSourceOverride]Length:0A"
		 "Bus:00Source:%02XInterrupt:%08XFlags(decodedbelow):000D"
		 "Polarity:1TriggerMode:3", PC_ACPI_SCI_IRQ, PC_ACPI_SCI_IRQ);
	iasl_has(d, nr, "SubtableType:04[LocalAPICNMI]Length:06"
		 "ProcessorID:FFFlags(decodedbelow):0005Polarity:1"
		 "TriggerMode:1InterruptInputLINT:01");
}

static void iasl_check_sdt(const char *d, const uint8_t *sdt,
			   unsigned int entry, unsigned int nr)
{
	unsigned int i, n = (iasl_le32(sdt + 4) - 36) / entry;

	for (i = 0; i < n; i++)
		iasl_has(d, nr, "ACPITableAddress%u:%0*X", i, (int)(2 * entry),
			 iasl_le32(sdt + 36 + entry * i));
}

static void iasl_check(const struct iasl_tables *t)
{
	unsigned int nr = t->nr_cpus;
	char *d;

	d = iasl_disassemble("dsdt", t->dsdt, nr);
	iasl_check_dsdt(d, nr);
	free(d);
	iasl_check_roundtrip(t->dsdt, nr);
	d = iasl_disassemble("facp", t->fadt, nr);
	iasl_check_fadt(d, t);
	free(d);
	d = iasl_disassemble("apic", t->madt, nr);
	iasl_check_madt(d, nr);
	free(d);
	d = iasl_disassemble("facs", t->facs, nr);
	iasl_has(d, nr, "Signature:\"FACS\"Length:00000040");
	free(d);
	d = iasl_disassemble("rsdt", t->rsdt, nr);
	iasl_check_sdt(d, t->rsdt, 4, nr);
	free(d);
	d = iasl_disassemble("xsdt", t->xsdt, nr);
	iasl_check_sdt(d, t->xsdt, 8, nr);
	free(d);
}

static void test_acpi_iasl(const struct iasl_tables *t)
{
	if (iasl_run("command -v iasl >/dev/null 2>&1") != 0) {
		printf("ok %u # SKIP %u cpus: iasl not found (acpica-tools)\n",
		       ++tap_count, t->nr_cpus);
		return;
	}
	strcpy(iasl_dir, "/tmp/vireo-test-acpi-XXXXXX");
	if (!ok(mkdtemp(iasl_dir) != NULL, "%u cpus: iasl work directory",
		t->nr_cpus))
		return;
	iasl_failed = 0;
	iasl_check(t);
	if (iasl_failed)
		diag("iasl input and output kept in %s", iasl_dir);
	else
		iasl_run("rm -rf '%s'", iasl_dir);
}

#endif /* VIREO_TEST_ACPI_IASL_H */
