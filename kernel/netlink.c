// SPDX-License-Identifier: GPL-2.0
/*
 * The generic netlink family "vireo" (<linux/vireo.h>, docs/netlink.md):
 * the host-wide list of VMs, with each vCPU's exit counts, and a multicast
 * group of events.  It is also the registry of VMs: each gets an id here
 * when it is made and leaves when it is freed.
 *
 * Only the initial network namespace sees the family (netnsok unset), and
 * a user other than root sees only the VMs its processes made.  Attributes
 * are checked by the family's policy, strictly: the core answers anything
 * malformed with an error before this file sees it.  A dump never waits on
 * one VM's memory lock (see vm_memory()).
 */
#include <linux/cred.h>
#include <linux/mutex.h>
#include <linux/sched.h>
#include <linux/timekeeping.h>
#include <linux/xarray.h>
#include <net/genetlink.h>

#include "vireo.h"

/* Every VM by id; the mutex keeps one alive while a dump reads it. */
static DEFINE_XARRAY_ALLOC1(vireo_vms);
static DEFINE_MUTEX(vireo_vms_lock);

static const struct nla_policy vireo_nl_policy[VIREO_A_MAX + 1] = {
	[VIREO_A_VM_ID] = { .type = NLA_U32 },
};

static int vireo_nl_list_vms(struct sk_buff *skb, struct netlink_callback *cb);

static const struct genl_small_ops vireo_nl_ops[] = {
	{
		.cmd = VIREO_CMD_LIST_VMS,
		.dumpit = vireo_nl_list_vms,
	},
};

/*
 * Every user's VMs come and go there: root's only.  A kernel without the
 * flag (6.1 before its backport) gets no group: no events, rather than
 * events anyone may read.
 */
#ifdef GENL_MCAST_CAP_SYS_ADMIN
static const struct genl_multicast_group vireo_nl_groups[] = {
	{ .name = VIREO_GENL_MCGRP_EVENTS, .flags = GENL_MCAST_CAP_SYS_ADMIN },
};
#define VIREO_NL_GROUPS	ARRAY_SIZE(vireo_nl_groups)
#else
#define vireo_nl_groups	NULL
#define VIREO_NL_GROUPS	0
#endif

static struct genl_family vireo_nl_family __ro_after_init = {
	.name = VIREO_GENL_NAME,
	.version = VIREO_GENL_VERSION,
	.maxattr = VIREO_A_MAX,
	.policy = vireo_nl_policy,
	.module = THIS_MODULE,
	.small_ops = vireo_nl_ops,
	.n_small_ops = ARRAY_SIZE(vireo_nl_ops),
	/* resv_start_op 0: every command gets the header's strict checks. */
	.mcgrps = vireo_nl_groups,
	.n_mcgrps = VIREO_NL_GROUPS,
};

/*
 * Read without the VM's mmu_lock, which a fault holds while it pins a page
 * (a page of a file that answers slowly, or never): a dump must not wait
 * on one VM with every VM's registry locked.
 */
static u64 vm_memory(struct vireo_vm *vm)
{
	return READ_ONCE(vm->memory_pages) << PAGE_SHIFT;
}

static int put_vcpu(struct sk_buff *skb, struct vireo_vcpu *vcpu)
{
	struct nlattr *nest = nla_nest_start(skb, VIREO_A_VCPU);
	int i;

	if (!nest || nla_put_u32(skb, VIREO_A_VCPU_NR, vcpu->id) ||
	    nla_put_u64_64bit(skb, VIREO_A_VCPU_EXITS,
			      READ_ONCE(vcpu->exits), VIREO_A_VCPU_PAD))
		return -EMSGSIZE;
	for (i = 0; i < VIREO_STAT_NR; i++)
		if (nla_put_u64_64bit(skb, VIREO_A_VCPU_EXITS_IO + i,
				      READ_ONCE(vcpu->exit_stats[i]),
				      VIREO_A_VCPU_PAD))
			return -EMSGSIZE;
	nla_nest_end(skb, nest);
	return 0;
}

static int put_identity(struct sk_buff *skb, struct vireo_vm *vm)
{
	return nla_put_u32(skb, VIREO_A_VM_ID, vm->id) ||
	       nla_put_u32(skb, VIREO_A_PID, vm->pid) ||
	       nla_put_u32(skb, VIREO_A_UID,
			   from_kuid_munged(&init_user_ns, vm->uid)) ?
	       -EMSGSIZE : 0;
}

/* With vireo_vms_lock held: one VM's message. */
static int put_vm(struct sk_buff *skb, struct vireo_vm *vm, u32 portid,
		  u32 seq)
{
	void *hdr = genlmsg_put(skb, portid, seq, &vireo_nl_family,
				NLM_F_MULTI, VIREO_CMD_LIST_VMS);
	u32 nr = 0;
	int i, r;

	if (!hdr)
		return -EMSGSIZE;
	r = put_identity(skb, vm);
	if (!r)
		r = nla_put_u64_64bit(skb, VIREO_A_CREATED_NS, vm->created_ns,
				      VIREO_A_PAD) ||
		    nla_put_u64_64bit(skb, VIREO_A_MEMORY, vm_memory(vm),
				      VIREO_A_PAD) ||
		    nla_put_u32(skb, VIREO_A_STATE,
				vireo_guest_time_stopped(vm) ?
				VIREO_VM_STATE_STOPPED :
				VIREO_VM_STATE_RUNNING) ? -EMSGSIZE : 0;
	mutex_lock(&vm->lock);
	for (i = 0; i < VIREO_MAX_VCPUS; i++)
		nr += !!vm->vcpus[i];
	if (!r)
		r = nla_put_u32(skb, VIREO_A_NR_VCPUS, nr) ? -EMSGSIZE : 0;
	for (i = 0; !r && i < VIREO_MAX_VCPUS; i++)
		if (vm->vcpus[i])
			r = put_vcpu(skb, vm->vcpus[i]);
	mutex_unlock(&vm->lock);
	if (r) {
		genlmsg_cancel(skb, hdr);
		return r;
	}
	genlmsg_end(skb, hdr);
	return 0;
}

/*
 * Root's dump has every VM, another user's those its processes made.
 * Who asked is decided once, by the first part (which runs in the asking
 * process); the later parts run in whoever reads the socket.  cb->args:
 * [0] the id to go on from, [1] 0 before the first part, then 1 + all,
 * [2] the asker's uid.
 */
static int vireo_nl_list_vms(struct sk_buff *skb, struct netlink_callback *cb)
{
	struct vireo_vm *vm;
	unsigned long id;
	bool all;
	kuid_t uid;
	int r = 0;

	if (!cb->args[1]) {
		cb->args[1] = 1 + netlink_capable(cb->skb, CAP_SYS_ADMIN);
		cb->args[2] = from_kuid_munged(&init_user_ns, current_euid());
	}
	all = cb->args[1] == 2;
	uid = make_kuid(&init_user_ns, cb->args[2]);
	mutex_lock(&vireo_vms_lock);
	xa_for_each_start(&vireo_vms, id, vm, cb->args[0]) {
		if (!all && !uid_eq(vm->uid, uid))
			continue;
		r = put_vm(skb, vm, NETLINK_CB(cb->skb).portid,
			   cb->nlh->nlmsg_seq);
		if (r)
			break;
		cb->args[0] = id + 1;
	}
	mutex_unlock(&vireo_vms_lock);
	/* A VM that fits no message at all is an error, not the end. */
	return r && !skb->len ? r : skb->len;
}

static void send_event(struct vireo_vm *vm, u32 event, int vcpu_id)
{
	struct sk_buff *skb;
	void *hdr;

	if (!genl_has_listeners(&vireo_nl_family, &init_net, 0))
		return;
	skb = genlmsg_new(NLMSG_GOODSIZE, GFP_KERNEL);
	if (!skb)
		return;
	hdr = genlmsg_put(skb, 0, 0, &vireo_nl_family, 0, VIREO_CMD_EVENT);
	if (!hdr || nla_put_u32(skb, VIREO_A_EVENT, event) ||
	    put_identity(skb, vm) ||
	    (vcpu_id >= 0 && nla_put_u32(skb, VIREO_A_VCPU_ID, vcpu_id))) {
		nlmsg_free(skb);
		return;
	}
	genlmsg_end(skb, hdr);
	genlmsg_multicast(&vireo_nl_family, skb, 0, 0, GFP_KERNEL);
}

int vireo_vm_register(struct vireo_vm *vm)
{
	u32 id;
	int r;

	vm->pid = task_tgid_nr(current);
	vm->uid = current_euid();
	vm->created_ns = ktime_get_boottime_ns();
	mutex_lock(&vireo_vms_lock);
	/* xa_alloc() writes the id even when it fails: only ours on success. */
	r = xa_alloc(&vireo_vms, &id, vm, xa_limit_31b, GFP_KERNEL);
	if (!r)
		vm->id = id;
	mutex_unlock(&vireo_vms_lock);
	if (!r)
		send_event(vm, VIREO_EVENT_VM_CREATED, -1);
	return r;
}

void vireo_vm_unregister(struct vireo_vm *vm)
{
	if (!vm->id)
		return;
	mutex_lock(&vireo_vms_lock);
	xa_erase(&vireo_vms, vm->id);
	mutex_unlock(&vireo_vms_lock);
	send_event(vm, VIREO_EVENT_VM_DESTROYED, -1);
}

void vireo_vcpu_event(struct vireo_vcpu *vcpu, u32 event)
{
	send_event(vcpu->vm, event, vcpu->id);
}

int __init vireo_netlink_init(void)
{
	return genl_register_family(&vireo_nl_family);
}

void vireo_netlink_exit(void)
{
	genl_unregister_family(&vireo_nl_family);
}
