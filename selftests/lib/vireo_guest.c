// SPDX-License-Identifier: GPL-2.0
/* A Vireo guest in a thread of its own (vireo_guest.h). */
#include <pthread.h>
#include <sched.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <unistd.h>

#include "realmode.h"
#include "vireo_guest.h"

#define DATA_GPA	0x2000
#define OUT_PORT	0x10
#define ADVANCE_WAIT_S	500

/* As kvm_guest.c's code: AL = [0x2000] + BL; BL++; OUT 0x10, AL. */
REALMODE_GUEST(loop_guest,
	"1:\n"
	"mov 0x2000, %al\n"
	"add %bl, %al\n"
	"inc %bl\n"
	"out %al, $0x10\n"
	"jmp 1b\n");

struct vireo_guest {
	struct vireo_vm *vm;
	struct vireo_vcpu *vcpu;
	pthread_t thread;
	atomic_bool stop;
	atomic_ulong exits;
	char error[192];
	atomic_bool failed;		/* error[] is written */
};

/* One round: run to the next OUT and check it; false on a wrong exit. */
static bool vireo_guest_step(struct vireo_guest *g)
{
	struct vireo_run *run = g->vcpu->run;
	uint8_t want, got;

	/*
	 * A signal (system()'s SIGCHLD, the freezer of a host suspend)
	 * ends RUN with EINTR: run again.
	 */
	while (_vcpu_run(g->vcpu)) {
		if (errno == EINTR)
			continue;
		snprintf(g->error, sizeof(g->error), "RUN: %s",
			 strerror(errno));
		return false;
	}
	if (run->exit_reason != VIREO_EXIT_IO || run->io.port != OUT_PORT ||
	    run->io.direction != VIREO_IO_OUT || run->io.size != 1) {
		uint64_t rip = vcpu_get_rip(g->vcpu);
		const uint8_t *at = rip >= 2 && rip < REALMODE_MEM_SIZE ?
				    addr_gpa2hva(g->vm, rip - 2) : NULL;

		/*
		 * All that tells a wrong I/O from a wrong guest: the RIP
		 * (past the instruction) and the guest's own two bytes
		 * before it, which an OUT it ran would have been.
		 */
		snprintf(g->error, sizeof(g->error),
			 "exit %s (port %#x %s size %u, rip %#llx, bytes before %02x %02x, after %lu good exits) instead of OUT %#x",
			 exit_reason_str(run->exit_reason), run->io.port,
			 run->io.direction == VIREO_IO_OUT ? "out" : "in",
			 run->io.size, (unsigned long long)rip,
			 at ? at[0] : 0, at ? at[1] : 0,
			 atomic_load(&g->exits), OUT_PORT);
		return false;
	}
	got = *(uint8_t *)vcpu_io_data(g->vcpu);
	want = (uint8_t)(VIREO_GUEST_BYTE + atomic_load(&g->exits));
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

	while (!atomic_load(&g->stop)) {
		if (!vireo_guest_step(g)) {
			atomic_store(&g->failed, true);
			break;
		}
	}
	return NULL;
}

struct vireo_guest *vireo_guest_start_on(int cpu)
{
	struct vireo_guest *g = calloc(1, sizeof(*g));
	pthread_attr_t attr;
	cpu_set_t set;

	TEST_ASSERT(g, "out of memory");
	g->vm = vm_create_realmode(&loop_guest, &g->vcpu);
	*(uint8_t *)addr_gpa2hva(g->vm, DATA_GPA) = VIREO_GUEST_BYTE;
	pthread_attr_init(&attr);
	if (cpu >= 0) {
		/* Pinned from its first instruction on. */
		CPU_ZERO(&set);
		CPU_SET(cpu % sysconf(_SC_NPROCESSORS_ONLN), &set);
		pthread_attr_setaffinity_np(&attr, sizeof(set), &set);
	}
	TEST_ASSERT(!pthread_create(&g->thread, &attr, vireo_guest_loop, g),
		    "pthread_create failed");
	pthread_attr_destroy(&attr);
	return g;
}

struct vireo_guest *vireo_guest_start(void)
{
	return vireo_guest_start_on(-1);
}

unsigned long vireo_guest_exits(struct vireo_guest *g)
{
	return atomic_load(&g->exits);
}

const char *vireo_guest_error(struct vireo_guest *g)
{
	return atomic_load(&g->failed) ? g->error : NULL;
}

void vireo_guest_pin(struct vireo_guest *g, int cpu)
{
	thread_pin(g->thread, cpu);
}

bool vireo_guest_stop(struct vireo_guest *g, unsigned long *exits, char *why)
{
	bool ok;

	atomic_store(&g->stop, true);
	pthread_join(g->thread, NULL);
	*exits = atomic_load(&g->exits);
	ok = !atomic_load(&g->failed);
	snprintf(why, 256, "%s", g->error);
	vm_free(g->vm);
	free(g);
	return ok;
}

bool guests_advance(struct vireo_guest *v, struct kvm_guest *k,
		    unsigned long n, char *why)
{
	unsigned long v0 = v ? vireo_guest_exits(v) : 0;
	unsigned long k0 = k ? kvm_guest_exits(k) : 0;
	int ticks;

	for (ticks = 0; ticks < ADVANCE_WAIT_S * 100; ticks++) {
		if (v && vireo_guest_error(v)) {
			snprintf(why, 256, "Vireo's guest: %.220s",
				 vireo_guest_error(v));
			return false;
		}
		if (k && kvm_guest_failed(k)) {
			/* kvm_guest_stop() tells why. */
			snprintf(why, 256, "KVM's guest stopped on an error");
			return false;
		}
		if ((!v || vireo_guest_exits(v) - v0 >= n) &&
		    (!k || kvm_guest_exits(k) - k0 >= n))
			return true;
		usleep(10000);
	}
	snprintf(why, 256, "%s: fewer than %lu exits in %d s",
		 v && vireo_guest_exits(v) - v0 < n ? "Vireo's guest" :
		 "KVM's guest", n, ADVANCE_WAIT_S);
	return false;
}
