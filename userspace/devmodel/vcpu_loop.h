/* SPDX-License-Identifier: GPL-2.0 */
/*
 * The vCPU run loop: VIREO_RUN, then dispatch the exit the kernel left in
 * the run area.  Port I/O goes to the machine's bus by port number; the
 * loop knows no device.
 */
#ifndef VIREO_VCPU_LOOP_H
#define VIREO_VCPU_LOOP_H

#include "machine.h"
#include "vcpu.h"

#define VCPU_CONTINUE	(-1)

/*
 * Handle the exit described in vcpu->run.  Returns VCPU_CONTINUE to run the
 * guest again, or the process exit status (exitcodes.h, or a debug-exit
 * status) after printing why the VM ends.  Needs no kernel.
 */
int vcpu_handle_exit(struct vcpu *vcpu, struct machine *m);

/* Run the vCPU until the VM ends; returns the process exit status. */
int vcpu_run_loop(struct vcpu *vcpu, struct machine *m);

#endif /* VIREO_VCPU_LOOP_H */
