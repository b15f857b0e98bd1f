// SPDX-License-Identifier: GPL-2.0
/*
 * Vireo beside KVM on the same CPUs (docs/coexistence.md): guests of both
 * run at the same time, in either order of starting, and either module
 * may go while the other's guests run.  KVM's guest is lib/kvm_guest.c;
 * Vireo's does the same loop with another byte, so that either one seeing
 * the other's memory or registers shows up as a wrong OUT.
 *
 * The sandbox has two CPUs; the tests run both guests' threads on each of
 * them in turn (pinned together, then apart), so that world switches of
 * both hypervisors interleave on one CPU.
 *
 * These tests load and unload kvm and vireo themselves and leave each as
 * they found it.  They skip in the /dev/kvm build of the tests.
 */
#include <errno.h>
#include <fcntl.h>
#include <pthread.h>
#include <sched.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "kselftest_harness.h"
#include "kvm_guest.h"
#include "realmode.h"

#define VIREO_BYTE	0x55
#define DATA_GPA	0x2000
#define OUT_PORT	0x10
#define TIMEOUT		600

REALMODE_GUEST(loop_guest,
	"1:\n"
	"mov 0x2000, %al\n"
	"add %bl, %al\n"
	"inc %bl\n"
	"out %al, $0x10\n"
	"jmp 1b\n");

/* A Vireo guest run from its own thread: loop_guest, checked exit by exit. */
struct vireo_guest {
	struct vireo_vm *vm;
	struct vireo_vcpu *vcpu;
	pthread_t thread;
	atomic_bool stop;
	atomic_ulong exits;
	char error[128];
};

static void vireo_guest_init(struct vireo_guest *g)
{
	memset(g, 0, sizeof(*g));
	g->vm = vm_create_realmode(&loop_guest, &g->vcpu);
	*(uint8_t *)addr_gpa2hva(g->vm, DATA_GPA) = VIREO_BYTE;
}

/* One round: run to the next OUT and check it; false on a wrong exit. */
static bool vireo_guest_step(struct vireo_guest *g)
{
	struct vireo_run *run = g->vcpu->run;
	uint8_t want, got;

	/* system()'s SIGCHLD interrupts RUN now and then: run again. */
	while (_vcpu_run(g->vcpu)) {
		if (errno == EINTR)
			continue;
		snprintf(g->error, sizeof(g->error), "RUN: %s",
			 strerror(errno));
		return false;
	}
	if (run->exit_reason != VIREO_EXIT_IO || run->io.port != OUT_PORT ||
	    run->io.direction != VIREO_IO_OUT || run->io.size != 1) {
		snprintf(g->error, sizeof(g->error),
			 "exit %s instead of OUT %#x",
			 exit_reason_str(run->exit_reason), OUT_PORT);
		return false;
	}
	got = *(uint8_t *)vcpu_io_data(g->vcpu);
	want = (uint8_t)(VIREO_BYTE + atomic_load(&g->exits));
	if (got != want) {
		snprintf(g->error, sizeof(g->error),
			 "exit %lu sent %#x, not %#x",
			 atomic_load(&g->exits), got, want);
		return false;
	}
	atomic_fetch_add(&g->exits, 1);
	return true;
}

static void *vireo_guest_loop(void *arg)
{
	struct vireo_guest *g = arg;

	while (!atomic_load(&g->stop) && vireo_guest_step(g))
		;
	return NULL;
}

static void vireo_guest_start(struct vireo_guest *g)
{
	vireo_guest_init(g);
	TEST_ASSERT(!pthread_create(&g->thread, NULL, vireo_guest_loop, g),
		    "pthread_create failed");
}

static void vireo_guest_stop(struct vireo_guest *g)
{
	atomic_store(&g->stop, true);
	pthread_join(g->thread, NULL);
	vm_free(g->vm);
}

static int nr_cpus(void)
{
	return sysconf(_SC_NPROCESSORS_ONLN);
}

static void pin_thread(pthread_t t, int cpu)
{
	cpu_set_t set;

	CPU_ZERO(&set);
	CPU_SET(cpu % nr_cpus(), &set);
	pthread_setaffinity_np(t, sizeof(set), &set);
}

static bool module_loaded(const char *name)
{
	char path[64];

	snprintf(path, sizeof(path), "/sys/module/%s", name);
	return access(path, F_OK) == 0;
}

static const char *kvm_mod;

static const char *kvm_module(void)
{
	if (!kvm_mod)
		kvm_mod = dev_check_cap(VIREO_CAP_BACKEND) ==
			  VIREO_BACKEND_SVM ? "kvm_amd" : "kvm_intel";
	return kvm_mod;
}

static int run_cmd(const char *fmt, const char *arg)
{
	char cmd[512];

	snprintf(cmd, sizeof(cmd), fmt, arg);
	return system(cmd);
}

/* Whether Vireo keeps the CPUs' virtualization while it has a VM. */
static bool vireo_holds(void)
{
	char buf[8] = "";
	int fd = open("/sys/module/vireo/parameters/hold_svme", O_RDONLY);

	if (fd < 0)
		return true;	/* VT-x: VMX operation is kept */
	if (read(fd, buf, sizeof(buf) - 1) < 0)
		buf[0] = 'Y';
	close(fd);
	return buf[0] == 'Y';
}

FIXTURE(coexist) {
	bool kvm_was_loaded;
};

FIXTURE_SETUP(coexist)
{
	int fd = open(VIREO_DEV_PATH, O_RDWR | O_CLOEXEC);

	if (fd < 0 || strcmp(selftest_hypervisor(), "vireo"))
		SKIP(return, "drives Vireo and KVM together");
	close(fd);
	kvm_module();
	self->kvm_was_loaded = module_loaded("kvm");
	if (run_cmd("modprobe %s", kvm_module()) || access("/dev/kvm", F_OK))
		SKIP(return, "KVM cannot be loaded here");
}

FIXTURE_TEARDOWN(coexist)
{
	if (!self->kvm_was_loaded)
		run_cmd("modprobe -r %s kvm", kvm_module());
}

/* Run both guests until each made @n more exits, or one went wrong. */
static void run_both(struct __test_metadata *_metadata, struct vireo_guest *v,
		     struct kvm_guest *k, unsigned long n)
{
	unsigned long v0 = atomic_load(&v->exits), k0 = kvm_guest_exits(k);
	int spins;

	for (spins = 0; spins < 500 * 100; spins++) {
		if (v->error[0] || kvm_guest_failed(k) ||
		    (atomic_load(&v->exits) - v0 >= n &&
		     kvm_guest_exits(k) - k0 >= n))
			break;
		usleep(10000);
	}
	ASSERT_EQ(0, v->error[0]) TH_LOG("Vireo's guest: %s", v->error);
	ASSERT_FALSE(kvm_guest_failed(k));
	ASSERT_LE(v0 + n, atomic_load(&v->exits));
	ASSERT_LE(k0 + n, kvm_guest_exits(k));
}

static void stop_kvm_guest(struct __test_metadata *_metadata,
			   struct kvm_guest *k)
{
	unsigned long exits;
	char why[128];

	ASSERT_TRUE(kvm_guest_stop(k, &exits, why)) TH_LOG("KVM's guest: %s",
							   why);
	TH_LOG("KVM's guest made %lu exits, all right", exits);
}

/*
 * KVM's guest runs first (KVM holds AMD-V/VT-x on every CPU); Vireo's
 * starts beside it.  Both on one CPU, then on different CPUs, then on
 * the other CPU together.
 */
TEST_F_TIMEOUT(coexist, kvm_first, TIMEOUT)
{
	struct vireo_guest v;
	struct kvm_guest *k;
	char why[128];
	int round;

	k = kvm_guest_start(why);
	ASSERT_NE(NULL, k) TH_LOG("%s", why);
	vireo_guest_start(&v);
	for (round = 0; round < 3; round++) {
		pin_thread(v.thread, round == 2);
		run_both(_metadata, &v, k, 300);
	}
	vireo_guest_stop(&v);
	TH_LOG("Vireo's guest made %lu exits, all right",
	       atomic_load(&v.exits));
	stop_kvm_guest(_metadata, k);
}

/*
 * Vireo's guest runs first; then KVM starts a VM.  When Vireo holds the
 * hardware (VT-x, or AMD-V with hold_svme=1) and KVM did not hold it
 * already, KVM refuses, and says so; otherwise both run.
 */
TEST_F_TIMEOUT(coexist, vireo_first, TIMEOUT)
{
	struct vireo_guest v;
	struct kvm_guest *k;
	char why[128];

	/* KVM without a VM: on 6.1 it has let go of the CPUs. */
	vireo_guest_start(&v);
	while (!v.error[0] && atomic_load(&v.exits) < 100)
		usleep(10000);
	k = kvm_guest_start(why);
	if (!k) {
		TH_LOG("KVM refused: %s", why);
		EXPECT_TRUE(vireo_holds());
		EXPECT_EQ(EBUSY, errno);
		vireo_guest_stop(&v);
		ASSERT_EQ(0, v.error[0]) TH_LOG("Vireo's guest: %s", v.error);
		return;
	}
	pin_thread(v.thread, 1);
	run_both(_metadata, &v, k, 300);
	vireo_guest_stop(&v);
	stop_kvm_guest(_metadata, k);
}

/* rmmod kvm while Vireo's guest runs: it goes on. */
TEST_F_TIMEOUT(coexist, kvm_unloaded_under_vireo, TIMEOUT)
{
	struct vireo_guest v;
	struct kvm_guest *k;
	unsigned long before;
	char why[128];

	k = kvm_guest_start(why);
	ASSERT_NE(NULL, k) TH_LOG("%s", why);
	vireo_guest_start(&v);
	run_both(_metadata, &v, k, 200);
	stop_kvm_guest(_metadata, k);
	ASSERT_EQ(0, run_cmd("modprobe -r %s kvm", kvm_module()));
	before = atomic_load(&v.exits);
	while (!v.error[0] && atomic_load(&v.exits) < before + 500)
		usleep(10000);
	vireo_guest_stop(&v);
	ASSERT_EQ(0, v.error[0]) TH_LOG("Vireo's guest: %s", v.error);
	/* And KVM comes back while Vireo has no VM. */
	ASSERT_EQ(0, run_cmd("modprobe %s", kvm_module()));
	k = kvm_guest_start(why);
	ASSERT_NE(NULL, k) TH_LOG("%s", why);
	while (kvm_guest_exits(k) < 100)
		usleep(10000);
	stop_kvm_guest(_metadata, k);
}

/*
 * rmmod vireo while KVM's guest runs: it goes on; then vireo.ko comes
 * back with the parameters it had.
 */
TEST_F_TIMEOUT(coexist, vireo_unloaded_under_kvm, TIMEOUT)
{
	const char *module = getenv("VIREO_MODULE") ?: "./vireo.ko";
	struct vireo_guest v;
	struct kvm_guest *k;
	unsigned long before;
	char why[128], params[200];

	snprintf(params, sizeof(params), "%s hold_svme=%d", module,
		 vireo_holds());
	if (access("/sys/module/vireo/parameters/hold_svme", F_OK))
		snprintf(params, sizeof(params), "%s", module);
	if (access(module, R_OK))
		SKIP(return, "no %s to load again", module);
	k = kvm_guest_start(why);
	ASSERT_NE(NULL, k) TH_LOG("%s", why);
	vireo_guest_start(&v);
	run_both(_metadata, &v, k, 200);
	vireo_guest_stop(&v);
	ASSERT_EQ(0, run_cmd("rmmod vireo%s", ""));
	before = kvm_guest_exits(k);
	while (kvm_guest_exits(k) < before + 300)
		usleep(10000);
	ASSERT_EQ(0, run_cmd("insmod %s", params));
	while (access(VIREO_DEV_PATH, F_OK))
		usleep(10000);
	vireo_guest_start(&v);
	run_both(_metadata, &v, k, 200);
	vireo_guest_stop(&v);
	stop_kvm_guest(_metadata, k);
}

TEST_HARNESS_MAIN
