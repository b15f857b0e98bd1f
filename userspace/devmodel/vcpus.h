/* SPDX-License-Identifier: GPL-2.0 */
/*
 * The VM's vCPUs: creating them with their CPUID tables (vcpus.c), and
 * running each on its own thread until the VM ends (vcpu_threads.c).
 *
 * Ending the VM: whatever ends it (a vCPU loop returning a status, a
 * device calling machine->request_exit, a termination signal) records the
 * status in the machine, first request wins, and wakes the main thread,
 * which waits in vcpus_run().  It then kicks every vCPU thread out of
 * VIREO_RUN (SIGNAL_KICK, and immediate_exit for a RUN about to start),
 * joins them and returns the first status.
 *
 * A vCPU that executes HLT with interrupts disabled has stopped: nothing
 * but INIT and a start-up IPI can restart it, so it is parked in
 * WAIT_SIPI.  APs start so.  When every vCPU has stopped, the VM ends
 * with status 0 (EXIT_CODE_HALTED): a ROM that halts, or Linux's `halt`.
 * A parked vCPU counts as running again from its next exit to userspace.
 */
#ifndef VIREO_VCPUS_H
#define VIREO_VCPUS_H

#include <stdbool.h>

#include "machine.h"
#include "vcpu.h"
#include "vm.h"

typedef int (*vcpu_loop_fn)(struct vcpu *vcpu, struct machine *m);

struct vcpus {
	unsigned int nr;
	struct vcpu *vcpu;		/* nr of them, vcpu[i].id == i */
	unsigned int nr_stopped;	/* under the machine lock */

	/* While vcpus_run() runs. */
	struct machine *m;
	vcpu_loop_fn loop;
};

/*
 * Create nr vCPUs with their CPUID tables, KVM's paravirtual leaves kept
 * when kvm_paravirt is set; vCPU 0 is left runnable for the caller to set
 * its state, the others wait for SIPI.  Returns 0 or an exit code after
 * printing why; vcpus_destroy() frees what was made.
 */
int vcpus_create(struct vcpus *s, struct vm *vm, unsigned int nr,
		 bool kvm_paravirt);
void vcpus_destroy(struct vcpus *s);

/*
 * Run loop(vcpu, m) (vcpu_run_loop(), or a test's) for every vCPU on its
 * own thread; returns the status the VM ended with.  Called on the thread
 * that ran signals_init(), before any other thread existed.
 */
int vcpus_run(struct vcpus *s, struct machine *m, vcpu_loop_fn loop);

/*
 * With the machine lock held.  vcpus_stop(): vcpu executed HLT with
 * interrupts disabled; returns true when that was the last running vCPU
 * (always for a vCPU on its own, vcpu->set == NULL).  vcpus_resume():
 * vcpu exited again, so it runs.
 */
bool vcpus_stop(struct vcpu *vcpu);
void vcpus_resume(struct vcpu *vcpu);

#endif /* VIREO_VCPUS_H */
