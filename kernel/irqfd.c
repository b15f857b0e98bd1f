// SPDX-License-Identifier: GPL-2.0
/*
 * irqfd (VIREO_IRQFD): each write to an eventfd sends a message-signalled
 * interrupt to the VM's local APICs, from inside the kernel.
 *
 * An irqfd is a wait-queue entry on the eventfd, as KVM's are: the
 * eventfd's wake-up calls irqfd_wakeup() with the eventfd's wait-queue
 * lock held and interrupts off, which reads the count (so writes merge
 * while the interrupt is on its way) and delivers the message at once:
 * vireo_lapic_deliver() takes only spinlocks and kicks vCPUs with an
 * asynchronous IPI.
 *
 * Lifetime: an irqfd is on vm->irqfds while active; assign, update and
 * deassign take vm->irqfd_mutex, one after the other.  Deassigning it,
 * closing its eventfd (EPOLLHUP) or the VM's end takes it off the list
 * under vm->irqfd_lock and queues its shutdown, which removes the wait
 * entry (under the eventfd's lock: a wake-up in progress finishes first)
 * and frees it.  Deassign and the VM's end wait for the queued shutdowns,
 * so after either no wake-up can reach the VM.
 */
#include <linux/eventfd.h>
#include <linux/file.h>
#include <linux/poll.h>
#include <linux/slab.h>
#include <linux/uaccess.h>
#include <linux/workqueue.h>

#include "vireo.h"

struct vireo_irqfd_entry {
	struct vireo_vm *vm;
	struct eventfd_ctx *ctx;
	wait_queue_entry_t wait;
	poll_table pt;
	/* The message: address (low 32 bits) << 32 | data; one store. */
	u64 msg;
	struct list_head link;		/* vm->irqfds; empty once inactive */
	struct work_struct shutdown;
};

static struct workqueue_struct *irqfd_wq;

static u64 irqfd_msg(u64 address, u32 data)
{
	return (u64)(u32)address << 32 | data;
}

static void irqfd_fire(struct vireo_irqfd_entry *irqfd)
{
	u64 msg = READ_ONCE(irqfd->msg);
	struct lapic_irq irq;

	/* Checked when set: decoding cannot fail. */
	if (!vireo_msi_decode(msg >> 32, (u32)msg, &irq))
		vireo_lapic_deliver(irqfd->vm, NULL, &irq);
}

static void irqfd_shutdown(struct work_struct *work)
{
	struct vireo_irqfd_entry *irqfd =
		container_of(work, struct vireo_irqfd_entry, shutdown);
	u64 cnt;

	eventfd_ctx_remove_wait_queue(irqfd->ctx, &irqfd->wait, &cnt);
	eventfd_ctx_put(irqfd->ctx);
	kfree(irqfd);
}

/* Under vm->irqfd_lock. */
static void irqfd_deactivate(struct vireo_irqfd_entry *irqfd)
{
	list_del_init(&irqfd->link);
	irqfd->vm->nr_irqfds--;
	queue_work(irqfd_wq, &irqfd->shutdown);
}

static int irqfd_wakeup(wait_queue_entry_t *wait, unsigned int mode,
			int sync, void *key)
{
	struct vireo_irqfd_entry *irqfd =
		container_of(wait, struct vireo_irqfd_entry, wait);
	__poll_t flags = key_to_poll(key);
	struct vireo_vm *vm = irqfd->vm;
	unsigned long irqs;
	u64 cnt;

	if (flags & EPOLLIN) {
		eventfd_ctx_do_read(irqfd->ctx, &cnt);
		irqfd_fire(irqfd);
	}
	if (flags & EPOLLHUP) {
		/* The eventfd is closing: nothing can write it again. */
		spin_lock_irqsave(&vm->irqfd_lock, irqs);
		if (!list_empty(&irqfd->link))
			irqfd_deactivate(irqfd);
		spin_unlock_irqrestore(&vm->irqfd_lock, irqs);
	}
	return 0;
}

static void irqfd_queue_proc(struct file *file, wait_queue_head_t *wqh,
			     poll_table *pt)
{
	struct vireo_irqfd_entry *irqfd =
		container_of(pt, struct vireo_irqfd_entry, pt);

	add_wait_queue(wqh, &irqfd->wait);
}

static struct vireo_irqfd_entry *irqfd_find(struct vireo_vm *vm,
					    const struct eventfd_ctx *ctx)
{
	struct vireo_irqfd_entry *irqfd;

	list_for_each_entry(irqfd, &vm->irqfds, link)
		if (irqfd->ctx == ctx)
			return irqfd;
	return NULL;
}

/* Under vm->irqfd_mutex: nothing deactivates it before it is queued. */
static int irqfd_assign(struct vireo_vm *vm, const struct vireo_irqfd *a)
{
	struct vireo_irqfd_entry *irqfd;
	struct eventfd_ctx *ctx;
	struct file *file;
	__poll_t events;
	int r;

	/* Held until the end: the eventfd cannot close (EPOLLHUP) meanwhile. */
	file = fget(a->fd);
	if (!file)
		return -EBADF;
	ctx = eventfd_ctx_fileget(file);
	if (IS_ERR(ctx)) {
		r = PTR_ERR(ctx);
		goto out;
	}
	irqfd = kzalloc(sizeof(*irqfd), GFP_KERNEL_ACCOUNT);
	if (!irqfd) {
		eventfd_ctx_put(ctx);
		r = -ENOMEM;
		goto out;
	}
	irqfd->vm = vm;
	irqfd->ctx = ctx;
	irqfd->msg = irqfd_msg(a->address, a->data);
	INIT_LIST_HEAD(&irqfd->link);
	INIT_WORK(&irqfd->shutdown, irqfd_shutdown);
	init_waitqueue_func_entry(&irqfd->wait, irqfd_wakeup);
	INIT_LIST_HEAD(&irqfd->wait.entry);
	init_poll_funcptr(&irqfd->pt, irqfd_queue_proc);

	spin_lock_irq(&vm->irqfd_lock);
	if (irqfd_find(vm, ctx))
		r = -EBUSY;
	else if (vm->nr_irqfds >= VIREO_MAX_IRQFDS)
		r = -ENOSPC;
	else
		r = 0;
	if (r) {
		spin_unlock_irq(&vm->irqfd_lock);
		eventfd_ctx_put(ctx);
		kfree(irqfd);
		goto out;
	}
	list_add_tail(&irqfd->link, &vm->irqfds);
	vm->nr_irqfds++;
	spin_unlock_irq(&vm->irqfd_lock);

	/*
	 * On the eventfd's wait queue from here on.  A count already there
	 * fires: one more wakes irqfd_wakeup(), which takes the count under
	 * the eventfd's lock, as every other read of it must.
	 */
	events = vfs_poll(file, &irqfd->pt);
	if (events & EPOLLIN)
		vireo_eventfd_signal(ctx);
	r = 0;
out:
	fput(file);
	return r;
}

static int irqfd_deassign_or_update(struct vireo_vm *vm,
				    const struct vireo_irqfd *a)
{
	struct vireo_irqfd_entry *irqfd;
	struct eventfd_ctx *ctx;
	int r = 0;

	ctx = eventfd_ctx_fdget(a->fd);
	if (IS_ERR(ctx))
		return PTR_ERR(ctx);
	spin_lock_irq(&vm->irqfd_lock);
	irqfd = irqfd_find(vm, ctx);
	if (!irqfd)
		r = -ENOENT;
	else if (a->flags & VIREO_IRQFD_DEASSIGN)
		irqfd_deactivate(irqfd);
	else
		WRITE_ONCE(irqfd->msg, irqfd_msg(a->address, a->data));
	spin_unlock_irq(&vm->irqfd_lock);
	eventfd_ctx_put(ctx);
	/* The wait entry is gone when DEASSIGN returns. */
	if (!r && (a->flags & VIREO_IRQFD_DEASSIGN))
		flush_workqueue(irqfd_wq);
	return r;
}

int vireo_irqfd(struct vireo_vm *vm, void __user *argp)
{
	struct vireo_irqfd a;
	struct lapic_irq irq;
	int r;

	if (copy_from_user(&a, argp, sizeof(a)))
		return -EFAULT;
	if (a.padding || a.reserved[0] || a.reserved[1] ||
	    (a.flags & ~(VIREO_IRQFD_DEASSIGN | VIREO_IRQFD_UPDATE)) ||
	    a.flags == (VIREO_IRQFD_DEASSIGN | VIREO_IRQFD_UPDATE))
		return -EINVAL;
	/* A message VIREO_SIGNAL_MSI takes, and edge-triggered. */
	if (!(a.flags & VIREO_IRQFD_DEASSIGN) &&
	    (vireo_msi_decode(a.address, a.data, &irq) || irq.level))
		return -EINVAL;
	mutex_lock(&vm->irqfd_mutex);
	if (a.flags)
		r = irqfd_deassign_or_update(vm, &a);
	else
		r = irqfd_assign(vm, &a);
	mutex_unlock(&vm->irqfd_mutex);
	return r;
}

/* The VM's end, before its vCPUs go: no wake-up reaches it afterwards. */
void vireo_irqfd_vm_free(struct vireo_vm *vm)
{
	struct vireo_irqfd_entry *irqfd, *tmp;

	spin_lock_irq(&vm->irqfd_lock);
	list_for_each_entry_safe(irqfd, tmp, &vm->irqfds, link)
		irqfd_deactivate(irqfd);
	spin_unlock_irq(&vm->irqfd_lock);
	flush_workqueue(irqfd_wq);
}

int vireo_irqfd_init(void)
{
	irqfd_wq = alloc_workqueue("vireo-irqfd", 0, 0);
	return irqfd_wq ? 0 : -ENOMEM;
}

void vireo_irqfd_exit(void)
{
	destroy_workqueue(irqfd_wq);
}
