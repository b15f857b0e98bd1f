// SPDX-License-Identifier: GPL-2.0
/*
 * The kernel's view of the VMs, through its generic netlink family "vireo"
 * (docs/netlink.md), read with libnl-genl-3: which VMs exist, whose they
 * are, and what their vCPUs did.  vmctl status puts it beside what each VM
 * process says on its socket.
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include <netlink/genl/ctrl.h>
#include <netlink/genl/genl.h>
#include <linux/vireo.h>

#include "vmctl.h"

struct dump {
	struct vmctl_nl_vm *vms;
	int nr, room;
	int err;
};

static struct nla_policy vm_policy[VIREO_A_MAX + 1] = {
	[VIREO_A_VM_ID] = { .type = NLA_U32 },
	[VIREO_A_PID] = { .type = NLA_U32 },
	[VIREO_A_UID] = { .type = NLA_U32 },
	[VIREO_A_CREATED_NS] = { .type = NLA_U64 },
	[VIREO_A_NR_VCPUS] = { .type = NLA_U32 },
	[VIREO_A_MEMORY] = { .type = NLA_U64 },
	[VIREO_A_STATE] = { .type = NLA_U32 },
	[VIREO_A_VCPU] = { .type = NLA_NESTED },
};

static int one_vm(struct nl_msg *msg, void *arg)
{
	struct nlattr *a[VIREO_A_MAX + 1], *v[VIREO_A_VCPU_MAX + 1], *nest;
	struct dump *d = arg;
	struct vmctl_nl_vm *vm;
	int rem, i;

	if (genlmsg_parse(nlmsg_hdr(msg), 0, a, VIREO_A_MAX, vm_policy) ||
	    !a[VIREO_A_VM_ID] || !a[VIREO_A_PID])
		return NL_SKIP;
	if (d->nr == d->room) {
		struct vmctl_nl_vm *more;

		d->room = d->room ? 2 * d->room : 8;
		more = realloc(d->vms, d->room * sizeof(*more));
		if (!more) {
			d->err = -ENOMEM;
			return NL_STOP;
		}
		d->vms = more;
	}
	vm = &d->vms[d->nr++];
	memset(vm, 0, sizeof(*vm));
	vm->id = nla_get_u32(a[VIREO_A_VM_ID]);
	vm->pid = nla_get_u32(a[VIREO_A_PID]);
	if (a[VIREO_A_UID])
		vm->uid = nla_get_u32(a[VIREO_A_UID]);
	if (a[VIREO_A_NR_VCPUS])
		vm->nr_vcpus = nla_get_u32(a[VIREO_A_NR_VCPUS]);
	if (a[VIREO_A_STATE])
		vm->state = nla_get_u32(a[VIREO_A_STATE]);
	if (a[VIREO_A_MEMORY])
		vm->memory = nla_get_u64(a[VIREO_A_MEMORY]);
	if (a[VIREO_A_CREATED_NS])
		vm->created_ns = nla_get_u64(a[VIREO_A_CREATED_NS]);
	nlmsg_for_each_attr(nest, nlmsg_hdr(msg), GENL_HDRLEN, rem) {
		if (nla_type(nest) != VIREO_A_VCPU ||
		    nla_parse_nested(v, VIREO_A_VCPU_MAX, nest, NULL))
			continue;
		for (i = VIREO_A_VCPU_EXITS; i <= VIREO_A_VCPU_EXITS_USER; i++)
			if (v[i] && nla_len(v[i]) == sizeof(uint64_t))
				vm->exits[i] += nla_get_u64(v[i]);
	}
	return NL_OK;
}

int vmctl_nl_list(struct vmctl_nl_vm **vms)
{
	struct dump d = { 0 };
	struct nl_sock *sock = nl_socket_alloc();
	struct nl_msg *msg = NULL;
	int family, err;

	*vms = NULL;
	if (!sock)
		return -ENOMEM;
	err = genl_connect(sock);
	family = err ? -1 : genl_ctrl_resolve(sock, VIREO_GENL_NAME);
	if (err || family < 0) {
		/* No family: vireo.ko is not loaded (or too old). */
		err = -ENOENT;
		goto out;
	}
	msg = nlmsg_alloc();
	if (!msg || !genlmsg_put(msg, NL_AUTO_PORT, NL_AUTO_SEQ, family, 0,
				 NLM_F_DUMP, VIREO_CMD_LIST_VMS,
				 VIREO_GENL_VERSION)) {
		err = -ENOMEM;
		goto out;
	}
	nl_socket_modify_cb(sock, NL_CB_VALID, NL_CB_CUSTOM, one_vm, &d);
	err = nl_send_auto(sock, msg) < 0 ? -EIO : 0;
	if (!err && nl_recvmsgs_default(sock) < 0)
		err = -EIO;
	if (!err)
		err = d.err;
out:
	nlmsg_free(msg);
	nl_socket_free(sock);
	if (err) {
		free(d.vms);
		return err;
	}
	*vms = d.vms;
	return d.nr;
}

const struct vmctl_nl_vm *vmctl_nl_find(const struct vmctl_nl_vm *vms, int nr,
					uint32_t pid)
{
	const struct vmctl_nl_vm *found = NULL;
	int i;

	/* The newest of the process's: a reset makes the VM anew. */
	for (i = 0; i < nr; i++)
		if (vms[i].pid == pid && (!found || vms[i].id > found->id))
			found = &vms[i];
	return found;
}
