// SPDX-License-Identifier: GPL-2.0
/*
 * Conformance with KVM, measured: the same probe guest runs on /dev/vireo
 * and on /dev/kvm, with the same CPUID table, and every answer is compared.
 *
 *  - msrs: for every MSR in 0-0x1fff, 0xc0000000-0xc0001fff and
 *    0xc0010000-0xc0011fff, RDMSR, then WRMSR of 0, then WRMSR of the value
 *    read, each recording the vector it raised (0 for none) and the value.
 *  - cpuid: every basic, hypervisor and extended leaf up to its maximum and
 *    a little past it, subleaves 0-7.
 *
 * The binary built on lib/ioctl.c (Vireo) saves its CPUID table and its
 * answers in $VIREO_DIFF_DIR (default /tmp/vireo-kvm-diff); the one built
 * on lib/kvm_compat.c (build/selftests-kvm/, run by selftests/run after
 * Vireo is unloaded and kvm_amd or kvm_intel loaded) gives KVM that table,
 * probes, and fails on every difference not in the lists below, each of
 * which docs/conformance.md explains.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "kselftest_harness.h"
#include "exception.h"
#include "longmode.h"
#include "supported_cpuid.h"
#include "ucall.h"

#define TIMEOUT		1200
#define RANGE_LEN	0x2000
#define NR_RANGES	3
#define NR_MSRS		(NR_RANGES * RANGE_LEN)
#define NOT_TRIED	0xff

static const uint32_t msr_bases[NR_RANGES] = {
	0x00000000, 0xc0000000, 0xc0010000,
};

struct msr_probe {
	uint8_t rd, wr0, wrv, pad[5];
	uint64_t val;
};

static struct msr_probe probes[NR_MSRS];

static void guest_msr_probe(void)
{
	uint32_t r, i;

	for (r = 0; r < NR_RANGES; r++) {
		for (i = 0; i < RANGE_LEN; i++) {
			uint32_t msr = msr_bases[r] + i;
			struct msr_probe *p = &probes[r * RANGE_LEN + i];

			p->rd = rdmsr_safe(msr, &p->val);
			p->wr0 = wrmsr_safe(msr, 0);
			p->wrv = p->rd ? NOT_TRIED : wrmsr_safe(msr, p->val);
		}
	}
	GUEST_DONE();
}

/* ---- CPUID ------------------------------------------------------------ */

#define NR_SUBLEAVES	8
#define MAX_LEAVES	192

struct cpuid_probe {
	uint32_t leaf, sub;
	uint32_t r[4];
};

static struct cpuid_probe cpuids[MAX_LEAVES * NR_SUBLEAVES];
static uint64_t nr_cpuids;

static void guest_cpuid_one(uint32_t leaf, uint32_t sub)
{
	struct cpuid_probe *c = &cpuids[nr_cpuids++];

	c->leaf = leaf;
	c->sub = sub;
	asm volatile("cpuid"
		     : "=a"(c->r[0]), "=b"(c->r[1]), "=c"(c->r[2]), "=d"(c->r[3])
		     : "a"(leaf), "c"(sub));
}

static void guest_cpuid_range(uint32_t base)
{
	uint32_t max, leaf, sub, eax, ebx, ecx, edx;

	asm volatile("cpuid" : "=a"(eax), "=b"(ebx), "=c"(ecx), "=d"(edx)
		     : "a"(base), "c"(0));
	max = eax;
	if (max < base || max - base > 0x40)
		max = base + 0x40;
	for (leaf = base; leaf <= max + 2; leaf++)
		for (sub = 0; sub < NR_SUBLEAVES; sub++)
			guest_cpuid_one(leaf, sub);
}

static void guest_cpuid_probe(void)
{
	guest_cpuid_range(0);
	guest_cpuid_range(0x40000000);
	guest_cpuid_range(0x80000000);
	GUEST_DONE();
}

/* ---- host side -------------------------------------------------------- */

/* A difference KVM and Vireo are known to have, and why (conformance.md). */
struct justified {
	uint32_t first, last;
	const char *why;
};

static const struct justified msr_justified[] = {
	{ 0x10, 0x10, "IA32_TSC: the value read is the time" },
	{ 0x17, 0x17, "IA32_PLATFORM_ID is Intel's: Vireo follows the host's "
		      "vendor, KVM answers on AMD too" },
	{ 0x1a0, 0x1a0, "IA32_MISC_ENABLE is Intel's (as 0x17)" },
	{ 0x2c, 0x2c, "KVM's made-up bus and core frequencies" },
	{ 0xcd, 0xce, "KVM's made-up bus and core frequencies" },
	{ 0x198, 0x199, "KVM's made-up bus and core frequencies" },
	{ 0x11e, 0x11e, "KVM's made-up bus and core frequencies" },
	{ 0x3b, 0x3b, "IA32_TSC_ADJUST: not in Vireo's CPUID, #GP as on a "
		      "CPU without it; KVM answers regardless" },
	{ 0x79, 0x79, "microcode loading: KVM drops the write, Vireo refuses "
		      "it" },
	{ 0x140, 0x140, "CPUID faulting (MISC_FEATURES_ENABLES): not offered" },
	{ 0x1fc, 0x1fc, "Intel's POWER_CTL: KVM stores it, Vireo has none" },
	{ 0xfe, 0xfe, "MTRRcap: Vireo's MTRRs take no write-combining type" },
	{ 0x2ff, 0x2ff, "MTRRdefType: Vireo starts with MTRRs on and WB, as "
			"firmware leaves them (msr.c)" },
	{ 0x179, 0x179, "MCG_CAP: KVM's 32 default machine-check banks; "
			"Vireo offers no MCA" },
	{ 0x400, 0x47f, "machine-check banks: as MCG_CAP" },
	{ 0xc0010010, 0xc0010010, "SYSCFG: Vireo takes back its own value, "
				  "KVM refuses any write" },
	{ 0xc0010015, 0xc0010015, "HWCR: Vireo sets TscFreqSel, which Linux "
				  "wants on an invariant TSC" },
	{ 0xc0011029, 0xc0011029, "DE_CFG: Vireo reports LFENCE as "
				  "serializing, as the host made it" },
	{ 0xc001001b, 0xc001001b, "AMD CLK_CTL: KVM's errata workaround" },
	{ 0xc0010020, 0xc0010020, "microcode loading (as 0x79)" },
	{ 0xc0010058, 0xc0010058, "MMIO_CONF_BASE: KVM stores writes; Vireo "
				  "has no MMCONFIG yet" },
	{ 0xc0010114, 0xc0010117, "SVM's VM_CR, IGNNE, HSAVE_PA: KVM keeps "
				  "them for nested SVM even unoffered" },
	{ 0xc0010130, 0xc0010130, "SEV-ES GHCB: no SEV" },
	{ 0xc0011022, 0xc0011023, "AMD DC_CFG, TW_CFG: KVM drops errata "
				  "writes, Vireo refuses" },
	{ 0xc001102a, 0xc001102c, "AMD BU_CFG2, EX_CFG: as DC_CFG" },
	/* Seen in the VT-x lane only. */
	{ 0x3a, 0x3a, "FEATURE_CONTROL: Vireo reports it locked with VMX off, "
		      "as firmware leaves it; KVM reports it unlocked" },
	{ 0x8b, 0x8b, "BIOS_SIGN_ID: Vireo reports the host's microcode "
		      "revision, KVM a made-up one" },
	{ 0xc001001f, 0xc001001f, "AMD NB_CFG on Intel: Vireo follows the "
				  "host's vendor" },
	{ 0xc0010055, 0xc0010055, "AMD INT_PENDING_MSG on Intel: as NB_CFG" },
	{ 0xc0010112, 0xc0010113, "AMD TSEG on Intel: as NB_CFG" },
	{ 0, 0, NULL },
};

static const struct justified cpuid_justified[] = {
	{ 0, 0, NULL },
};

static const char *justified(const struct justified *j, uint32_t n)
{
	for (; j->why; j++)
		if (n >= j->first && n <= j->last)
			return j->why;
	return NULL;
}

static const char *diff_dir(void)
{
	const char *d = getenv("VIREO_DIFF_DIR");

	return d ? d : "/tmp/vireo-kvm-diff";
}

static bool on_kvm(void)
{
	return !strcmp(selftest_hypervisor(), "kvm");
}

static void path_of(char *buf, size_t len, const char *hv, const char *what)
{
	snprintf(buf, len, "%s/%s.%s", diff_dir(), hv, what);
}

static void save(const char *hv, const char *what, const void *data,
		 size_t len)
{
	char path[512];
	FILE *f;

	mkdir(diff_dir(), 0755);
	path_of(path, sizeof(path), hv, what);
	f = fopen(path, "w");
	TEST_ASSERT(f, "cannot write %s", path);
	TEST_ASSERT(fwrite(data, 1, len, f) == len, "short write to %s", path);
	fclose(f);
}

/* Vireo's saved @what, or NULL when the Vireo side has not run. */
static void *load(const char *what, size_t *len)
{
	char path[512];
	void *data;
	FILE *f;
	long n;

	path_of(path, sizeof(path), "vireo", what);
	f = fopen(path, "r");
	if (!f)
		return NULL;
	fseek(f, 0, SEEK_END);
	n = ftell(f);
	rewind(f);
	data = malloc(n ? n : 1);
	TEST_ASSERT(data && fread(data, 1, n, f) == (size_t)n,
		    "cannot read %s", path);
	fclose(f);
	*len = n;
	return data;
}

/*
 * The CPUID table both sides run with: Vireo's supported table, saved by
 * the Vireo side for the KVM side.  NULL: the KVM side without it.
 */
static struct vireo_cpuid *shared_cpuid_table(void)
{
	struct vireo_cpuid *c;
	size_t len;

	if (!on_kvm()) {
		c = get_supported_cpuid();
		save("vireo", "cpuid-table", c,
		     sizeof(*c) + c->nent * sizeof(c->entries[0]));
		return c;
	}
	c = load("cpuid-table", &len);
	if (c && len != sizeof(*c) + c->nent * sizeof(c->entries[0])) {
		free(c);
		return NULL;
	}
	return c;
}

static struct vireo_vm *diff_vm(void *guest, struct vireo_cpuid *c,
				struct vireo_vcpu **vcpu)
{
	struct vireo_vm *vm = vm_create_longmode(guest, vcpu);

	vcpu_init_exceptions(*vcpu);
	vcpu_set_cpuid(*vcpu, c->entries, c->nent);
	return vm;
}

FIXTURE(diff) {
	struct vireo_vm *vm;
	struct vireo_vcpu *vcpu;
	struct vireo_cpuid *cpuid;
};

FIXTURE_SETUP(diff)
{
	self->vm = NULL;
	self->cpuid = shared_cpuid_table();
}

FIXTURE_TEARDOWN(diff)
{
	if (self->vm)
		vm_free(self->vm);
	free(self->cpuid);
}

static void show_msr(const char *who, const struct msr_probe *p)
{
	printf("#     %s: rdmsr %s%#llx, wrmsr 0 -> #%u, wrmsr back -> %s%u\n",
	       who, p->rd ? "#" : "", p->rd ? p->rd : (unsigned long long)p->val,
	       p->wr0, p->wrv == NOT_TRIED ? "not tried " : "#",
	       p->wrv == NOT_TRIED ? 0 : p->wrv);
}

TEST_F_TIMEOUT(diff, msrs, TIMEOUT)
{
	unsigned int i, unjustified = 0, known = 0;
	struct msr_probe *vireo;
	struct ucall uc;
	size_t len;

	if (!self->cpuid)
		SKIP(return, "no Vireo results in %s: run the Vireo side first",
		     diff_dir());
	self->vm = diff_vm(guest_msr_probe, self->cpuid, &self->vcpu);
	ASSERT_EQ(UCALL_DONE, vcpu_run_ucall(self->vcpu, &uc));
	sync_global_from_guest(self->vm, probes);
	if (!on_kvm()) {
		save("vireo", "msrs", probes, sizeof(probes));
		return;
	}
	vireo = load("msrs", &len);
	ASSERT_NE(NULL, vireo);
	ASSERT_EQ(sizeof(probes), len);
	for (i = 0; i < NR_MSRS; i++) {
		uint32_t msr = msr_bases[i / RANGE_LEN] + i % RANGE_LEN;
		const char *why;

		if (!memcmp(&vireo[i], &probes[i], sizeof(probes[i])))
			continue;
		why = justified(msr_justified, msr);
		printf("# MSR %#x differs%s%s\n", msr, why ? ": " : "",
		       why ? why : " (not justified)");
		show_msr("Vireo", &vireo[i]);
		show_msr("KVM  ", &probes[i]);
		if (why)
			known++;
		else
			unjustified++;
	}
	printf("# %u MSRs probed: %u differences justified, %u not\n",
	       NR_MSRS, known, unjustified);
	free(vireo);
	ASSERT_EQ(0, unjustified);
}

TEST_F_TIMEOUT(diff, cpuid, TIMEOUT)
{
	unsigned int i, unjustified = 0, known = 0;
	struct cpuid_probe *vireo;
	uint64_t n;
	struct ucall uc;
	size_t len;

	if (!self->cpuid)
		SKIP(return, "no Vireo results in %s: run the Vireo side first",
		     diff_dir());
	self->vm = diff_vm(guest_cpuid_probe, self->cpuid, &self->vcpu);
	ASSERT_EQ(UCALL_DONE, vcpu_run_ucall(self->vcpu, &uc));
	sync_global_from_guest(self->vm, nr_cpuids);
	sync_global_from_guest(self->vm, cpuids);
	n = nr_cpuids;
	if (!on_kvm()) {
		save("vireo", "cpuid", cpuids, n * sizeof(cpuids[0]));
		return;
	}
	vireo = load("cpuid", &len);
	ASSERT_NE(NULL, vireo);
	ASSERT_EQ(n * sizeof(cpuids[0]), len);
	for (i = 0; i < n; i++) {
		const struct cpuid_probe *v = &vireo[i], *k = &cpuids[i];
		const char *why;

		if (!memcmp(v, k, sizeof(*v)))
			continue;
		why = justified(cpuid_justified, k->leaf);
		printf("# CPUID %#x.%u differs%s%s\n", k->leaf, k->sub,
		       why ? ": " : "", why ? why : " (not justified)");
		printf("#     Vireo: %08x %08x %08x %08x\n", v->r[0], v->r[1],
		       v->r[2], v->r[3]);
		printf("#     KVM  : %08x %08x %08x %08x\n", k->r[0], k->r[1],
		       k->r[2], k->r[3]);
		if (why)
			known++;
		else
			unjustified++;
	}
	printf("# %lu CPUID leaves probed: %u differences justified, %u not\n",
	       (unsigned long)n, known, unjustified);
	free(vireo);
	ASSERT_EQ(0, unjustified);
}

TEST_HARNESS_MAIN
