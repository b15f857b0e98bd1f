// SPDX-License-Identifier: GPL-2.0
/*
 * ioeventfd (VIREO_IOEVENTFD): a guest write to a registered port or MMIO
 * address signals an eventfd, and the vCPU goes back into the guest
 * without a return to its thread in the VM process.  Virtio's queue
 * notifications are such writes: the device's I/O thread wakes on the
 * eventfd while the vCPU runs on.
 *
 * The table is read on every port write and decoded MMIO write that would
 * otherwise go to userspace, by vCPU threads, without a lock: it is an
 * array replaced whole under vm->ioeventfd_lock and read under RCU, so a
 * write sees the table from before or after a change, never half of one.
 * A linear scan: a few dozen entries (a queue each) in practice, and a
 * miss costs a return to userspace anyway.
 */
#include <linux/eventfd.h>
#include <linux/rcupdate.h>
#include <linux/slab.h>
#include <linux/uaccess.h>

#include "vireo.h"

#define IOEVENTFD_MATCH_FLAGS (VIREO_IOEVENTFD_PIO | VIREO_IOEVENTFD_DATAMATCH)

struct ioeventfd {
	u64 addr;
	u64 datamatch;
	struct eventfd_ctx *ctx;
	u32 len;		/* 0: any size (MMIO) */
	u32 flags;		/* IOEVENTFD_MATCH_FLAGS */
};

struct vireo_ioeventfds {
	struct rcu_head rcu;
	unsigned int n;
	struct ioeventfd e[];
};

/* Linux 6.8 dropped eventfd_signal()'s count argument (Kbuild detects it). */
void vireo_eventfd_signal(struct eventfd_ctx *ctx)
{
#ifdef VIREO_EVENTFD_SIGNAL_N
	eventfd_signal(ctx, 1);
#else
	eventfd_signal(ctx);
#endif
}

/*
 * Called for each plain OUT and each decoded MMIO write: true when an
 * ioeventfd took it (the instruction is complete), false to go on to
 * userspace.  Any context a vCPU's exit handling runs in.
 */
bool vireo_ioeventfd_write(struct vireo_vm *vm, bool pio, u64 addr,
			   const void *data, u32 len)
{
	const struct vireo_ioeventfds *t;
	bool hit = false;
	unsigned int i;
	u64 val = 0;

	if (!rcu_access_pointer(vm->ioeventfds) || len > sizeof(val))
		return false;
	memcpy(&val, data, len);
	rcu_read_lock();
	t = rcu_dereference(vm->ioeventfds);
	for (i = 0; t && i < t->n; i++) {
		const struct ioeventfd *p = &t->e[i];

		if (p->addr != addr || !(p->flags & VIREO_IOEVENTFD_PIO) != !pio)
			continue;
		if (p->len && p->len != len)
			continue;
		if ((p->flags & VIREO_IOEVENTFD_DATAMATCH) &&
		    p->datamatch != val)
			continue;
		vireo_eventfd_signal(p->ctx);
		hit = true;
		break;
	}
	rcu_read_unlock();
	return hit;
}

static int ioeventfd_check(const struct vireo_ioeventfd *a)
{
	bool pio = a->flags & VIREO_IOEVENTFD_PIO;
	bool match = a->flags & VIREO_IOEVENTFD_DATAMATCH;
	u64 end;

	if (a->padding || a->reserved[0] || a->reserved[1] ||
	    (a->flags & ~(IOEVENTFD_MATCH_FLAGS | VIREO_IOEVENTFD_DEASSIGN)))
		return -EINVAL;
	switch (a->len) {
	case 0:
		/* Any size: a value to match would have no width. */
		if (pio || match)
			return -EINVAL;
		break;
	case 1:
	case 2:
	case 4:
		break;
	case 8:
		/* Port I/O is at most 32 bits wide. */
		if (pio)
			return -EINVAL;
		break;
	default:
		return -EINVAL;
	}
	end = a->addr + max_t(u32, a->len, 1);
	if (end < a->addr ||
	    end > (pio ? 0x10000 : BIT_ULL(VIREO_GPA_BITS)))
		return -EINVAL;
	/* A value wider than the write could never match. */
	if (match && a->len < 8 && (a->datamatch >> (a->len * 8)))
		return -EINVAL;
	return 0;
}

/* Would both match one write?  KVM's rule: same address, same size. */
static bool ioeventfd_collide(const struct ioeventfd *p,
			      const struct vireo_ioeventfd *a)
{
	u32 flags = a->flags & IOEVENTFD_MATCH_FLAGS;

	if (p->addr != a->addr ||
	    (p->flags & VIREO_IOEVENTFD_PIO) != (flags & VIREO_IOEVENTFD_PIO))
		return false;
	if (p->len && a->len && p->len != a->len)
		return false;
	if ((p->flags & VIREO_IOEVENTFD_DATAMATCH) &&
	    (flags & VIREO_IOEVENTFD_DATAMATCH))
		return p->datamatch == a->datamatch;
	return true;
}

/* The same registration, to remove it. */
static bool ioeventfd_same(const struct ioeventfd *p,
			   const struct vireo_ioeventfd *a,
			   const struct eventfd_ctx *ctx)
{
	u32 flags = a->flags & IOEVENTFD_MATCH_FLAGS;

	return p->ctx == ctx && p->addr == a->addr && p->len == a->len &&
	       p->flags == flags &&
	       (!(flags & VIREO_IOEVENTFD_DATAMATCH) ||
		p->datamatch == a->datamatch);
}

static struct vireo_ioeventfds *ioeventfd_table(struct vireo_vm *vm)
{
	return rcu_dereference_protected(vm->ioeventfds,
					 lockdep_is_held(&vm->ioeventfd_lock));
}

static int ioeventfd_assign(struct vireo_vm *vm,
			    const struct vireo_ioeventfd *a,
			    struct eventfd_ctx *ctx)
{
	struct vireo_ioeventfds *old, *new;
	unsigned int i, n;

	mutex_lock(&vm->ioeventfd_lock);
	old = ioeventfd_table(vm);
	n = old ? old->n : 0;
	for (i = 0; i < n; i++) {
		if (ioeventfd_collide(&old->e[i], a)) {
			mutex_unlock(&vm->ioeventfd_lock);
			return -EEXIST;
		}
	}
	if (n >= VIREO_MAX_IOEVENTFDS) {
		mutex_unlock(&vm->ioeventfd_lock);
		return -ENOSPC;
	}
	new = kvmalloc(struct_size(new, e, n + 1), GFP_KERNEL_ACCOUNT);
	if (!new) {
		mutex_unlock(&vm->ioeventfd_lock);
		return -ENOMEM;
	}
	if (n)
		memcpy(new->e, old->e, n * sizeof(new->e[0]));
	new->e[n] = (struct ioeventfd) {
		.addr = a->addr,
		.datamatch = a->datamatch,
		.ctx = ctx,
		.len = a->len,
		.flags = a->flags & IOEVENTFD_MATCH_FLAGS,
	};
	new->n = n + 1;
	rcu_assign_pointer(vm->ioeventfds, new);
	mutex_unlock(&vm->ioeventfd_lock);
	if (old)
		kvfree_rcu(old, rcu);
	return 0;
}

static int ioeventfd_deassign(struct vireo_vm *vm,
			      const struct vireo_ioeventfd *a,
			      struct eventfd_ctx *ctx)
{
	struct vireo_ioeventfds *old, *new = NULL;
	struct eventfd_ctx *gone;
	unsigned int i, n;

	mutex_lock(&vm->ioeventfd_lock);
	old = ioeventfd_table(vm);
	n = old ? old->n : 0;
	for (i = 0; i < n; i++)
		if (ioeventfd_same(&old->e[i], a, ctx))
			break;
	if (i == n) {
		mutex_unlock(&vm->ioeventfd_lock);
		return -ENOENT;
	}
	gone = old->e[i].ctx;
	if (n > 1) {
		new = kvmalloc(struct_size(new, e, n - 1), GFP_KERNEL_ACCOUNT);
		if (!new) {
			mutex_unlock(&vm->ioeventfd_lock);
			return -ENOMEM;
		}
		memcpy(new->e, old->e, i * sizeof(new->e[0]));
		memcpy(new->e + i, old->e + i + 1,
		       (n - i - 1) * sizeof(new->e[0]));
		new->n = n - 1;
	}
	rcu_assign_pointer(vm->ioeventfds, new);
	mutex_unlock(&vm->ioeventfd_lock);
	/* No vCPU signals it once this returns: the promise of DEASSIGN. */
	synchronize_rcu();
	eventfd_ctx_put(gone);
	kvfree(old);
	return 0;
}

int vireo_ioeventfd(struct vireo_vm *vm, void __user *argp)
{
	struct vireo_ioeventfd a;
	struct eventfd_ctx *ctx;
	int r;

	if (copy_from_user(&a, argp, sizeof(a)))
		return -EFAULT;
	r = ioeventfd_check(&a);
	if (r)
		return r;
	ctx = eventfd_ctx_fdget(a.fd);
	if (IS_ERR(ctx))
		return PTR_ERR(ctx);
	if (a.flags & VIREO_IOEVENTFD_DEASSIGN) {
		r = ioeventfd_deassign(vm, &a, ctx);
		eventfd_ctx_put(ctx);
		return r;
	}
	r = ioeventfd_assign(vm, &a, ctx);
	if (r)
		eventfd_ctx_put(ctx);
	return r;
}

/* The VM's end: no vCPU is left to read the table. */
void vireo_ioeventfd_free(struct vireo_vm *vm)
{
	struct vireo_ioeventfds *t = rcu_dereference_protected(vm->ioeventfds,
							       true);
	unsigned int i;

	if (!t)
		return;
	for (i = 0; i < t->n; i++)
		eventfd_ctx_put(t->e[i].ctx);
	kvfree(t);
	RCU_INIT_POINTER(vm->ioeventfds, NULL);
}
