// SPDX-License-Identifier: GPL-2.0
/*
 * /sys/kernel/debug/vireo/: what a VM's vCPUs look like from the inside,
 * for tests and for people debugging, as KVM's debugfs does.  One directory
 * per VM named "<pid>-<fd>" after the process and its VM fd, one per vCPU
 * below it.  Not an ABI: the uapi header is.
 *
 *   vcpuN/tlb_tag   the vCPU's ASID or VPID (0: none, untagged TLB)
 *   vcpuN/timer_expiries  how often its LAPIC timer's hrtimer ran
 *   vcpuN/kvmclock_updates  how often its pvclock area was written
 */
#include <linux/debugfs.h>
#include <linux/sched.h>

#include "vireo.h"

static struct dentry *vireo_debugfs_root;

void vireo_debugfs_init(void)
{
	vireo_debugfs_root = debugfs_create_dir("vireo", NULL);
}

void vireo_debugfs_exit(void)
{
	debugfs_remove_recursive(vireo_debugfs_root);
}

/*
 * PID-FD names a VM; a VM that outlives its fd (its vCPU fds hold it) may
 * still hold the name when the fd number comes back for a new VM: that one
 * then gets PID-FD.N, a name never used before, so that no process can
 * make debugfs complain into the kernel log.
 */
void vireo_debugfs_vm_add(struct vireo_vm *vm, int fd)
{
	static atomic_t seq = ATOMIC_INIT(0);
	struct dentry *old;
	char name[48];

	snprintf(name, sizeof(name), "%d-%d", task_pid_nr(current), fd);
	old = debugfs_lookup(name, vireo_debugfs_root);
	if (old) {
		dput(old);
		snprintf(name, sizeof(name), "%d-%d.%d", task_pid_nr(current),
			 fd, atomic_inc_return(&seq));
	}
	vm->debugfs = debugfs_create_dir(name, vireo_debugfs_root);
}

void vireo_debugfs_vm_remove(struct vireo_vm *vm)
{
	debugfs_remove_recursive(vm->debugfs);
	vm->debugfs = NULL;
}

static int vcpu_tlb_tag_get(void *data, u64 *val)
{
	*val = vireo_ops.vcpu_tlb_tag(data);
	return 0;
}
DEFINE_DEBUGFS_ATTRIBUTE(vcpu_tlb_tag_fops, vcpu_tlb_tag_get, NULL, "%llu\n");

void vireo_debugfs_vcpu_add(struct vireo_vcpu *vcpu)
{
	char name[16];

	snprintf(name, sizeof(name), "vcpu%u", vcpu->id);
	vcpu->debugfs = debugfs_create_dir(name, vcpu->vm->debugfs);
	debugfs_create_file_unsafe("tlb_tag", 0444, vcpu->debugfs, vcpu,
				   &vcpu_tlb_tag_fops);
	debugfs_create_u64("timer_expiries", 0444, vcpu->debugfs,
			   &vcpu->lapic.timer_expiries);
	debugfs_create_u64("kvmclock_updates", 0444, vcpu->debugfs,
			   &vcpu->kvmclock.updates);
}

/*
 * Removal waits for readers in the file's callbacks, so the vCPU can be
 * freed right after.
 */
void vireo_debugfs_vcpu_remove(struct vireo_vcpu *vcpu)
{
	debugfs_remove_recursive(vcpu->debugfs);
	vcpu->debugfs = NULL;
}
