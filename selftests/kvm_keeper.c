// SPDX-License-Identifier: GPL-2.0
/*
 * kvm_keeper: hold two idle KVM VMs until killed, so that KVM's static keys
 * never flip while the tests create and destroy their own VMs.
 *
 * Why: under QEMU's TCG, a Linux kernel that patches its own code with int3
 * (text_poke_bp(), behind every static key flip) sometimes has another
 * emulated CPU execute the int3 after the patch is done, an "Oops: int3"
 * that kills the sandbox kernel (docs/coexistence.md, "Testing beside KVM in
 * the sandbox").  KVM flips two keys as VMs come and go:
 *
 *  - kvm_has_noapic_vcpu, counted per vCPU created without an in-kernel
 *    local APIC (arch/x86/kvm/x86.c: kvm_arch_vcpu_create()/destroy()):
 *    the selftests' KVM side (selftests/lib/kvm_compat.c) creates no
 *    irqchip, so every vCPU it creates or frees would patch
 *    lapic_in_kernel() in kvm_arch_vcpu_ioctl_run();
 *  - apic_sw_disabled, counted per in-kernel local APIC that is software
 *    disabled, as every one is at reset (arch/x86/kvm/lapic.c:
 *    kvm_create_lapic()): each QEMU+KVM guest flips it when it starts and
 *    again when its kernel enables its APICs.
 *
 * One VM of each kind with one vCPU never run keeps both counts above zero,
 * so neither key is patched again until this process exits.  It prints
 * "kvm_keeper: holding" once both exist, then sleeps.
 */
#include <errno.h>
#include <fcntl.h>
#include <linux/kvm.h>
#include <stdio.h>
#include <string.h>
#include <sys/ioctl.h>
#include <unistd.h>

static int make_vm(int kvm, int irqchip)
{
	int vm, vcpu;

	vm = ioctl(kvm, KVM_CREATE_VM, 0);
	if (vm < 0) {
		fprintf(stderr, "kvm_keeper: KVM_CREATE_VM: %s\n",
			strerror(errno));
		return -1;
	}
	/* The in-kernel irqchip must exist before the vCPU (KVM API doc 4.24). */
	if (irqchip && ioctl(vm, KVM_CREATE_IRQCHIP, 0) < 0) {
		fprintf(stderr, "kvm_keeper: KVM_CREATE_IRQCHIP: %s\n",
			strerror(errno));
		return -1;
	}
	vcpu = ioctl(vm, KVM_CREATE_VCPU, 0);
	if (vcpu < 0) {
		fprintf(stderr, "kvm_keeper: KVM_CREATE_VCPU: %s\n",
			strerror(errno));
		return -1;
	}
	return 0;
}

int main(void)
{
	int kvm = open("/dev/kvm", O_RDWR | O_CLOEXEC);

	if (kvm < 0) {
		fprintf(stderr, "kvm_keeper: /dev/kvm: %s\n", strerror(errno));
		return 1;
	}
	if (make_vm(kvm, 0) || make_vm(kvm, 1))
		return 1;
	printf("kvm_keeper: holding\n");
	fflush(stdout);
	for (;;)
		pause();
}
