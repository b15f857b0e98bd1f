/* SPDX-License-Identifier: GPL-2.0 */
/*
 * The vCPU run loop: VIREO_RUN, then dispatch the exit the kernel left in
 * the run area.  Port I/O and MMIO go to the machine's buses by address,
 * EOIs to its interrupt controllers; the loop knows no device.  Each runs
 * on its vCPU's thread and holds no lock of its own: the bus takes the
 * lock of the device an access reaches (bus.h), and none is held across
 * VIREO_RUN.
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

/*
 * Run the vCPU until the VM ends: an exit that ends it, or any exit or
 * kick once machine->exit_requested is set.  Returns the process exit
 * status: its own exit's, or the one already requested.
 */
int vcpu_run_loop(struct vcpu *vcpu, struct machine *m);

#endif /* VIREO_VCPU_LOOP_H */
