// SPDX-License-Identifier: GPL-2.0
/*
 * virtio over PCI, modern interface (virtio_pci.h).  Section numbers are
 * VIRTIO 1.1's.
 */
#include <errno.h>
#include <stddef.h>
#include <stdio.h>
#include <string.h>
#include <time.h>
#include <unistd.h>
#include <sys/epoll.h>
#include <sys/eventfd.h>
#include <linux/pci_regs.h>
#include <linux/virtio_config.h>
#define VIRTIO_PCI_NO_LEGACY
#include <linux/virtio_pci.h>

#include "le.h"
#include "util.h"
#include "../devices.h"
#include "../machine.h"
#include "../pci/pci_msi.h"
#include "virtio_pci.h"

#define COMMON(field)	offsetof(struct virtio_pci_common_cfg, field)
#define COMMON_SIZE	sizeof(struct virtio_pci_common_cfg)

/* What the transport itself offers on top of the device's features. */
#define TRANSPORT_FEATURES ((1ULL << VIRTIO_F_VERSION_1) |		\
			    (1ULL << VIRTIO_RING_F_INDIRECT_DESC) |	\
			    (1ULL << VIRTIO_RING_F_EVENT_IDX))

bool virtio_pci_has(const struct virtio_pci *vp, unsigned int f)
{
	return f < 64 && (vp->features >> f) & 1;
}

static struct virtio_pci_queue *selected(struct virtio_pci *vp)
{
	return vp->queue_select < vp->ops->nr_queues ?
	       &vp->q[vp->queue_select] : NULL;
}

/* A vector the MSI-X table has, or NO_VECTOR (4.1.4.3.1, 4.1.5.1.2.1). */
static uint16_t vector_or_none(struct virtio_pci *vp, uint16_t v)
{
	return vp->pci.msix && v < vp->pci.msix->nr ? v : VIRTIO_PCI_NO_VECTOR;
}

static void interrupt(struct virtio_pci *vp, uint16_t vector, uint8_t isr)
{
	if (pci_msix_enabled(&vp->pci)) {
		if (vector != VIRTIO_PCI_NO_VECTOR)
			pci_msi_notify(&vp->pci, vector);
		return;
	}
	/* 4.1.4.5: INTA until the driver reads the ISR. */
	vp->isr |= isr;
	pci_irq_set(&vp->pci, true);
}

void virtio_pci_queue_done(struct virtio_pci *vp, unsigned int q)
{
	if (q < vp->ops->nr_queues && virtq_should_notify(&vp->q[q].vq))
		interrupt(vp, vp->q[q].vector, VIRTIO_PCI_ISR_QUEUE_BIT);
}

void virtio_pci_config_changed(struct virtio_pci *vp)
{
	vp->config_generation++;
	interrupt(vp, vp->config_vector, VIRTIO_PCI_ISR_CONFIG_BIT);
}

void virtio_pci_needs_reset(struct virtio_pci *vp, unsigned int q)
{
	if (vp->status & VIRTIO_CONFIG_S_NEEDS_RESET)
		return;
	vp->status |= VIRTIO_CONFIG_S_NEEDS_RESET;
	/* Only if the driver has gone that far (2.1.2). */
	if (vp->status & VIRTIO_CONFIG_S_DRIVER_OK)
		interrupt(vp, vp->config_vector, VIRTIO_PCI_ISR_CONFIG_BIT);
	(void)q;
}

void virtio_pci_reset(struct virtio_pci *vp)
{
	unsigned int i;

	vp->status = 0;
	vp->features = 0;
	vp->dfselect = vp->gfselect = 0;
	vp->queue_select = 0;
	vp->config_vector = VIRTIO_PCI_NO_VECTOR;
	vp->isr = 0;
	for (i = 0; i < VIRTIO_PCI_MAX_QUEUES; i++) {
		virtq_reset(&vp->q[i].vq);
		vp->q[i].vq.size = vp->ops->queue_size;
		vp->q[i].vector = VIRTIO_PCI_NO_VECTOR;
		vp->q[i].enabled = false;
	}
	if (vp->pci.m)
		pci_irq_set(&vp->pci, false);
	if (vp->ops->reset)
		vp->ops->reset(vp);
}

/* 3.1.1 step 5: FEATURES_OK only for features the device offered. */
static void write_status(struct virtio_pci *vp, uint8_t status)
{
	if (!status) {
		virtio_pci_reset(vp);
		return;
	}
	if ((status & VIRTIO_CONFIG_S_FEATURES_OK) &&
	    !(vp->status & VIRTIO_CONFIG_S_FEATURES_OK) &&
	    ((vp->features & ~vp->offered) ||
	     !virtio_pci_has(vp, VIRTIO_F_VERSION_1)))
		status &= ~VIRTIO_CONFIG_S_FEATURES_OK;
	/*
	 * The driver only adds bits (3.1.1); taking one away would, say,
	 * reopen the features under enabled queues.  NEEDS_RESET is the
	 * device's to set.
	 */
	status &= ~VIRTIO_CONFIG_S_NEEDS_RESET;
	/* 3.1.1: DRIVER_OK after FEATURES_OK, never with unchecked features. */
	if (!((vp->status | status) & VIRTIO_CONFIG_S_FEATURES_OK))
		status &= ~VIRTIO_CONFIG_S_DRIVER_OK;
	if ((status & VIRTIO_CONFIG_S_DRIVER_OK) &&
	    !(vp->status & VIRTIO_CONFIG_S_DRIVER_OK)) {
		vp->status |= status;
		if (vp->ops->driver_ok)
			vp->ops->driver_ok(vp);
		return;
	}
	vp->status |= status;
}

static void enable_queue(struct virtio_pci *vp, unsigned int i)
{
	struct virtio_pci_queue *q = &vp->q[i];

	if (q->enabled)
		return;
	q->vq.indirect = virtio_pci_has(vp, VIRTIO_RING_F_INDIRECT_DESC);
	q->vq.event_idx = virtio_pci_has(vp, VIRTIO_RING_F_EVENT_IDX);
	q->enabled = true;
	if (!vp->pci.m || !vp->pci.m->mem ||
	    virtq_enable(&q->vq, vp->pci.m->mem))
		virtio_pci_needs_reset(vp, i);
}

static uint64_t common_read(struct virtio_pci *vp, uint64_t off,
			    unsigned int size)
{
	struct virtio_pci_queue *q = selected(vp);

	switch (off) {
	case COMMON(device_feature_select):
		return vp->dfselect;
	case COMMON(device_feature):
		return vp->dfselect < 2 ? (uint32_t)(vp->offered >>
						     (32 * vp->dfselect)) : 0;
	case COMMON(guest_feature_select):
		return vp->gfselect;
	case COMMON(guest_feature):
		return vp->gfselect < 2 ? (uint32_t)(vp->features >>
						     (32 * vp->gfselect)) : 0;
	case COMMON(msix_config):
		return vp->config_vector;
	case COMMON(num_queues):
		return vp->ops->nr_queues;
	case COMMON(device_status):
		return vp->status;
	case COMMON(config_generation):
		return vp->config_generation;
	case COMMON(queue_select):
		return vp->queue_select;
	case COMMON(queue_size):
		return q ? q->vq.size : 0;
	case COMMON(queue_msix_vector):
		return q ? q->vector : VIRTIO_PCI_NO_VECTOR;
	case COMMON(queue_enable):
		return q ? q->enabled : 0;
	case COMMON(queue_notify_off):
		return q ? vp->queue_select : 0;
	case COMMON(queue_desc_lo):
		return q ? (uint32_t)q->vq.desc_gpa : 0;
	case COMMON(queue_desc_hi):
		return q ? q->vq.desc_gpa >> 32 : 0;
	case COMMON(queue_avail_lo):
		return q ? (uint32_t)q->vq.avail_gpa : 0;
	case COMMON(queue_avail_hi):
		return q ? q->vq.avail_gpa >> 32 : 0;
	case COMMON(queue_used_lo):
		return q ? (uint32_t)q->vq.used_gpa : 0;
	case COMMON(queue_used_hi):
		return q ? q->vq.used_gpa >> 32 : 0;
	}
	(void)size;
	return 0;
}

/* Half of a 64-bit ring address, while the queue is off (4.1.4.3.2). */
static void set_half(struct virtio_pci_queue *q, uint64_t *addr, bool hi,
		     uint32_t v)
{
	if (!q || q->enabled)
		return;
	if (hi)
		*addr = (*addr & 0xffffffffULL) | (uint64_t)v << 32;
	else
		*addr = (*addr & ~0xffffffffULL) | v;
}

static void common_write(struct virtio_pci *vp, uint64_t off,
			 unsigned int size, uint64_t v)
{
	struct virtio_pci_queue *q = selected(vp);
	unsigned int shift;

	switch (off) {
	case COMMON(device_feature_select):
		vp->dfselect = v;
		break;
	case COMMON(guest_feature_select):
		vp->gfselect = v;
		break;
	case COMMON(guest_feature):
		/* Features are fixed once FEATURES_OK is set (3.1.1). */
		if (vp->gfselect >= 2 ||
		    (vp->status & VIRTIO_CONFIG_S_FEATURES_OK))
			break;
		shift = 32 * vp->gfselect;
		vp->features = (vp->features & ~(0xffffffffULL << shift)) |
			       (uint64_t)(uint32_t)v << shift;
		break;
	case COMMON(msix_config):
		vp->config_vector = vector_or_none(vp, v);
		break;
	case COMMON(device_status):
		write_status(vp, v);
		break;
	case COMMON(queue_select):
		vp->queue_select = v;
		break;
	case COMMON(queue_size):
		/* A power of 2 up to the device's maximum, queue off. */
		if (q && !q->enabled && v && v <= vp->ops->queue_size &&
		    !(v & (v - 1)))
			q->vq.size = v;
		break;
	case COMMON(queue_msix_vector):
		if (q)
			q->vector = vector_or_none(vp, v);
		break;
	case COMMON(queue_enable):
		/* Only 1: a queue goes off with a reset (4.1.4.3.2). */
		if (q && v == 1)
			enable_queue(vp, vp->queue_select);
		break;
	case COMMON(queue_desc_lo):
	case COMMON(queue_desc_hi):
		set_half(q, q ? &q->vq.desc_gpa : NULL,
			 off == COMMON(queue_desc_hi), v);
		break;
	case COMMON(queue_avail_lo):
	case COMMON(queue_avail_hi):
		set_half(q, q ? &q->vq.avail_gpa : NULL,
			 off == COMMON(queue_avail_hi), v);
		break;
	case COMMON(queue_used_lo):
	case COMMON(queue_used_hi):
		set_half(q, q ? &q->vq.used_gpa : NULL,
			 off == COMMON(queue_used_hi), v);
		break;
	}
	(void)size;
}

/* The natural width of the common configuration field at off, or 0. */
static unsigned int common_width(uint64_t off)
{
	switch (off) {
	case COMMON(device_feature_select):
	case COMMON(device_feature):
	case COMMON(guest_feature_select):
	case COMMON(guest_feature):
	case COMMON(queue_desc_lo):
	case COMMON(queue_desc_hi):
	case COMMON(queue_avail_lo):
	case COMMON(queue_avail_hi):
	case COMMON(queue_used_lo):
	case COMMON(queue_used_hi):
		return 4;
	case COMMON(msix_config):
	case COMMON(num_queues):
	case COMMON(queue_select):
	case COMMON(queue_size):
	case COMMON(queue_msix_vector):
	case COMMON(queue_enable):
	case COMMON(queue_notify_off):
		return 2;
	case COMMON(device_status):
	case COMMON(config_generation):
		return 1;
	}
	return 0;
}

static uint64_t bar_read(void *opaque, uint64_t off, unsigned int size)
{
	struct virtio_pci *vp = opaque;
	uint8_t buf[8] = { 0 };
	uint64_t v;

	if (off < VIRTIO_PCI_ISR_OFF) {
		/* Fields are read at their width (4.1.3.1); else zeros. */
		return common_width(off) == size ? common_read(vp, off, size) : 0;
	}
	if (off < VIRTIO_PCI_DEVICE_OFF) {
		if (off != VIRTIO_PCI_ISR_OFF)
			return 0;
		/* Reading the ISR clears it and lowers INTA (4.1.4.5). */
		v = vp->isr;
		vp->isr = 0;
		pci_irq_set(&vp->pci, false);
		return v;
	}
	if (off < VIRTIO_PCI_NOTIFY_OFF) {
		off -= VIRTIO_PCI_DEVICE_OFF;
		if (size > 4 || off + size > vp->ops->config_size ||
		    !vp->ops->config_read)
			return 0;
		vp->ops->config_read(vp, off, buf, size);
		return le_get(buf, size);
	}
	return 0;
}

/* Queue i was notified: the device's lock held. */
static void queue_work(struct virtio_pci *vp, unsigned int i)
{
	if (__atomic_load_n(&vp->stopping, __ATOMIC_ACQUIRE) ||
	    i >= vp->ops->nr_queues || !vp->q[i].enabled ||
	    !(vp->status & VIRTIO_CONFIG_S_DRIVER_OK) ||
	    (vp->status & VIRTIO_CONFIG_S_NEEDS_RESET) || vp->q[i].vq.broken)
		return;
	if (vp->paused) {
		vp->q[i].kicked_while_paused = true;
		return;
	}
	if (vp->ops->notify)
		vp->ops->notify(vp, i);
}

static void kick(struct virtio_pci *vp, unsigned int i)
{
	uint64_t one = 1;

	if (write(vp->q[i].kick_fd, &one, sizeof(one)) < 0)
		return;		/* full: a kick is pending anyway */
}

void virtio_pci_kick(struct virtio_pci *vp, unsigned int q)
{
	if (q < vp->ops->nr_queues && vp->threaded)
		kick(vp, q);
}

/*
 * A write to the notification address the kernel did not take (no
 * ioeventfd there, or another size): the same eventfd, or at once
 * without a thread.
 */
static void notify(struct virtio_pci *vp, uint64_t off)
{
	unsigned int i = (off - VIRTIO_PCI_NOTIFY_OFF) / VIRTIO_PCI_NOTIFY_MULT;

	if (i >= vp->ops->nr_queues)
		return;
	if (vp->threaded)
		kick(vp, i);
	else
		queue_work(vp, i);
}

static void bar_write(void *opaque, uint64_t off, unsigned int size,
		      uint64_t value)
{
	struct virtio_pci *vp = opaque;
	uint8_t buf[8];

	if (off < VIRTIO_PCI_ISR_OFF) {
		if (common_width(off) == size)
			common_write(vp, off, size, value);
		return;
	}
	if (off >= VIRTIO_PCI_DEVICE_OFF && off < VIRTIO_PCI_NOTIFY_OFF) {
		off -= VIRTIO_PCI_DEVICE_OFF;
		if (size > 4 || off + size > vp->ops->config_size ||
		    !vp->ops->config_write)
			return;
		le_put(buf, size, value);
		vp->ops->config_write(vp, off, buf, size);
		return;
	}
	/* The queue's notification address, whatever was written. */
	if (off >= VIRTIO_PCI_NOTIFY_OFF &&
	    !((off - VIRTIO_PCI_NOTIFY_OFF) % VIRTIO_PCI_NOTIFY_MULT))
		notify(vp, off);
}

const struct bus_ops virtio_pci_bar_ops = {
	.read = bar_read,
	.write = bar_write,
};

static uint64_t msix_read(void *opaque, uint64_t off, unsigned int size)
{
	struct virtio_pci *vp = opaque;

	if (off >= VIRTIO_PCI_MSIX_PBA_OFF)
		return pci_msix_pba_read(&vp->pci,
					 off - VIRTIO_PCI_MSIX_PBA_OFF, size);
	return pci_msix_table_read(&vp->pci, off, size);
}

static void msix_write(void *opaque, uint64_t off, unsigned int size,
		       uint64_t value)
{
	struct virtio_pci *vp = opaque;

	if (off < VIRTIO_PCI_MSIX_PBA_OFF)
		pci_msix_table_write(&vp->pci, off, size, value);
}

const struct bus_ops virtio_pci_msix_ops = {
	.read = msix_read,
	.write = msix_write,
};

/* One vendor capability describing a region of BAR 4 (4.1.4). */
static int add_cap(struct virtio_pci *vp, uint8_t type, uint32_t offset,
		   uint32_t length, unsigned int extra)
{
	unsigned int len = sizeof(struct virtio_pci_cap) + extra;
	uint8_t *c;
	int at;

	at = pci_cap_add(&vp->pci, PCI_CAP_ID_VNDR, len);
	if (at < 0)
		return at;
	c = &vp->pci.config[at];
	c[VIRTIO_PCI_CAP_LEN] = len;
	c[VIRTIO_PCI_CAP_CFG_TYPE] = type;
	c[VIRTIO_PCI_CAP_BAR] = VIRTIO_PCI_BAR;
	le32_put(&c[VIRTIO_PCI_CAP_OFFSET], offset);
	le32_put(&c[VIRTIO_PCI_CAP_LENGTH], length);
	return at;
}

int virtio_pci_init(struct virtio_pci *vp, const struct virtio_ops *ops,
		    void *opaque)
{
	struct pci_device *pci = &vp->pci;
	int at, r;

	/* No fd yet: virtio_pci_free() may follow any failure below. */
	vp->epfd = vp->stop_fd = vp->watch_fd = -1;
	for (r = 0; r < VIRTIO_PCI_MAX_QUEUES; r++)
		vp->q[r].kick_fd = -1;
	if (!ops->nr_queues || ops->nr_queues > VIRTIO_PCI_MAX_QUEUES ||
	    !ops->queue_size || ops->queue_size > VIRTQ_MAX_SIZE ||
	    (ops->queue_size & (ops->queue_size - 1)) ||
	    ops->config_size > VIRTIO_PCI_REGION)
		return -EINVAL;
	vp->ops = ops;
	vp->opaque = opaque;
	vp->offered = ops->features | TRANSPORT_FEATURES;
	pci->vendor_id = VIRTIO_PCI_VENDOR;
	pci->device_id = VIRTIO_PCI_DEVICE_BASE + ops->type;
	/* 4.1.2.1: non-transitional, subsystem IDs from 0x40. */
	pci->revision = 1;
	pci->subsystem_vendor_id = VIRTIO_PCI_VENDOR;
	pci->subsystem_id = 0x40 + ops->type;
	pci->class_code = ops->class_code;
	pci->irq_pin = 1;
	pci->opaque = vp;
	pci->bars[VIRTIO_PCI_BAR] = (struct pci_bar) {
		.type = PCI_BAR_MEM64, .size = VIRTIO_PCI_BAR_SIZE,
		.mmio_ops = &virtio_pci_bar_ops, .opaque = vp,
	};
	pci->bars[VIRTIO_PCI_MSIX_BAR] = (struct pci_bar) {
		.type = PCI_BAR_MEM32, .size = VIRTIO_PCI_MSIX_BAR_SIZE,
		.mmio_ops = &virtio_pci_msix_ops, .opaque = vp,
	};
	r = add_cap(vp, VIRTIO_PCI_CAP_COMMON_CFG, VIRTIO_PCI_COMMON_OFF,
		    COMMON_SIZE, 0);
	if (r >= 0)
		r = add_cap(vp, VIRTIO_PCI_CAP_ISR_CFG, VIRTIO_PCI_ISR_OFF, 1, 0);
	if (r >= 0 && ops->config_size)
		r = add_cap(vp, VIRTIO_PCI_CAP_DEVICE_CFG,
			    VIRTIO_PCI_DEVICE_OFF, ops->config_size, 0);
	if (r >= 0) {
		at = add_cap(vp, VIRTIO_PCI_CAP_NOTIFY_CFG,
			     VIRTIO_PCI_NOTIFY_OFF,
			     ops->nr_queues * VIRTIO_PCI_NOTIFY_MULT, 4);
		r = at;
		if (at >= 0)
			le32_put(&pci->config[at + VIRTIO_PCI_NOTIFY_CAP_MULT],
				 VIRTIO_PCI_NOTIFY_MULT);
	}
	if (r >= 0)
		r = pci_msix_add(pci, ops->nr_queues + 1, VIRTIO_PCI_MSIX_BAR,
				 0, VIRTIO_PCI_MSIX_PBA_OFF);
	if (r < 0)
		return r;
	virtio_pci_reset(vp);
	return 0;
}

/* ---- the I/O thread ---- */

/* BAR 4 moved: the kernel signals the queues' eventfds at its new place. */
static void bar_moved(struct pci_device *pci, unsigned int bar, bool mapped,
		      uint64_t base)
{
	struct virtio_pci *vp = pci->opaque;
	struct machine *m = pci->m;
	unsigned int i;

	if (bar != VIRTIO_PCI_BAR || !m->ioeventfd)
		return;
	if (!mapped && vp->ioeventfds) {
		for (i = 0; i < vp->ops->nr_queues; i++)
			m->ioeventfd(m, vp->notify_base +
				     VIRTIO_PCI_NOTIFY_MULT * i, 0,
				     vp->q[i].kick_fd, false);
		vp->ioeventfds = false;
	}
	if (mapped && vp->threaded) {
		vp->notify_base = base + VIRTIO_PCI_NOTIFY_OFF;
		vp->ioeventfds = true;
		/* A queue left out still works: its writes exit to us. */
		for (i = 0; i < vp->ops->nr_queues; i++)
			m->ioeventfd(m, vp->notify_base +
				     VIRTIO_PCI_NOTIFY_MULT * i, 0,
				     vp->q[i].kick_fd, true);
	}
}

/*
 * The device's lock, unless the device is being destroyed: looked at
 * again every 10 ms, so that a thread of the device never waits on a
 * lock whose holder waits for the thread.
 */
bool virtio_pci_lock(struct virtio_pci *vp)
{
	struct timespec t;

	for (;;) {
		if (__atomic_load_n(&vp->stopping, __ATOMIC_ACQUIRE))
			return false;
		clock_gettime(CLOCK_MONOTONIC, &t);
		t.tv_nsec += 10 * 1000 * 1000;
		if (t.tv_nsec >= 1000000000L) {
			t.tv_sec++;
			t.tv_nsec -= 1000000000L;
		}
		if (!pthread_mutex_clocklock(vp->pci.lock, CLOCK_MONOTONIC, &t))
			return true;
	}
}

/* The epoll keys past the queues' (0 .. VIRTIO_PCI_MAX_QUEUES - 1). */
#define KEY_STOP	VIRTIO_PCI_MAX_QUEUES
#define KEY_WATCH	(VIRTIO_PCI_MAX_QUEUES + 1)

/*
 * Put the watched fd in or out of the epoll set as wanted: lock held.
 * Out means deleted, not an empty event mask: epoll reports EPOLLHUP and
 * EPOLLERR whatever the mask, so a back end that hung up would wake the
 * thread for ever.
 */
static void watch_update(struct virtio_pci *vp)
{
	struct epoll_event e = { .events = EPOLLIN, .data.u32 = KEY_WATCH };
	bool arm = vp->watch_on && !vp->paused &&
		   !__atomic_load_n(&vp->stopping, __ATOMIC_ACQUIRE);

	if (vp->watch_fd < 0 || vp->epfd < 0 || arm == vp->watch_armed)
		return;
	if (epoll_ctl(vp->epfd, arm ? EPOLL_CTL_ADD : EPOLL_CTL_DEL,
		      vp->watch_fd, &e))
		pr_err("%s: watching its back end: %s\n", vp->pci.name,
		       strerror(errno));
	else
		vp->watch_armed = arm;
}

int virtio_pci_watch(struct virtio_pci *vp, int fd,
		     void (*ready)(struct virtio_pci *vp))
{
	if (!vp->threaded || vp->watch_fd >= 0 || fd < 0)
		return -EINVAL;
	vp->watch_fd = fd;
	vp->watch_ready = ready;
	watch_update(vp);
	return 0;
}

void virtio_pci_watch_on(struct virtio_pci *vp, bool on)
{
	vp->watch_on = on;
	watch_update(vp);
}

static void *io_thread(void *arg)
{
	struct virtio_pci *vp = arg;
	struct epoll_event ev[VIRTIO_PCI_MAX_QUEUES + 2];
	uint64_t cnt;
	int n, k;

	for (;;) {
		n = epoll_wait(vp->epfd, ev, VIRTIO_PCI_MAX_QUEUES + 2, -1);
		for (k = 0; k < n; k++) {
			unsigned int i = ev[k].data.u32;

			if (i == KEY_STOP)
				return NULL;
			if (i == KEY_WATCH) {
				if (!virtio_pci_lock(vp))
					return NULL;
				/* Paused since epoll_wait() returned? */
				if (vp->watch_armed && !vp->paused)
					vp->watch_ready(vp);
				pthread_mutex_unlock(vp->pci.lock);
				continue;
			}
			if (read(vp->q[i].kick_fd, &cnt, sizeof(cnt)) < 0)
				continue;
			if (!virtio_pci_lock(vp))
				return NULL;
			queue_work(vp, i);
			pthread_mutex_unlock(vp->pci.lock);
		}
	}
}

static void close_fds(struct virtio_pci *vp)
{
	unsigned int i;

	for (i = 0; i < VIRTIO_PCI_MAX_QUEUES; i++) {
		if (vp->q[i].kick_fd >= 0)
			close(vp->q[i].kick_fd);
		vp->q[i].kick_fd = -1;
	}
	if (vp->stop_fd >= 0)
		close(vp->stop_fd);
	if (vp->epfd >= 0)
		close(vp->epfd);
	vp->stop_fd = vp->epfd = vp->watch_fd = -1;	/* watch_fd: not ours */
	vp->watch_armed = false;
}

int virtio_pci_start(struct virtio_pci *vp)
{
	struct epoll_event e = { .events = EPOLLIN };
	unsigned int i;
	int err;

	vp->epfd = epoll_create1(EPOLL_CLOEXEC);
	vp->stop_fd = eventfd(0, EFD_CLOEXEC | EFD_NONBLOCK);
	if (vp->epfd < 0 || vp->stop_fd < 0)
		goto fail;
	e.data.u32 = KEY_STOP;
	if (epoll_ctl(vp->epfd, EPOLL_CTL_ADD, vp->stop_fd, &e))
		goto fail;
	for (i = 0; i < vp->ops->nr_queues; i++) {
		vp->q[i].kick_fd = eventfd(0, EFD_CLOEXEC | EFD_NONBLOCK);
		e.data.u32 = i;
		if (vp->q[i].kick_fd < 0 ||
		    epoll_ctl(vp->epfd, EPOLL_CTL_ADD, vp->q[i].kick_fd, &e))
			goto fail;
	}
	err = pthread_create(&vp->thread, NULL, io_thread, vp);
	if (err)
		goto fail_err;
	vp->pci.bar_moved = bar_moved;
	vp->threaded = true;
	return 0;
fail:
	err = errno;
fail_err:
	close_fds(vp);
	return -err;
}

void virtio_pci_stop(struct virtio_pci *vp)
{
	uint64_t one = 1;

	/* The device's own threads (virtio_pci_lock()) give up too. */
	__atomic_store_n(&vp->stopping, true, __ATOMIC_RELEASE);
	if (!vp->threaded)
		return;
	/* Once is enough: the counter cannot be full. */
	if (write(vp->stop_fd, &one, sizeof(one)) != sizeof(one))
		pr_err("%s: waking its I/O thread: %s\n", vp->pci.name,
		       strerror(errno));
	pthread_join(vp->thread, NULL);
	vp->threaded = false;
}

int virtio_pci_register(struct virtio_pci *vp, struct device *dev,
			char *why, size_t why_len)
{
	int err;

	vp->pci.name = dev->name;
	vp->pci.slot = PCI_SLOT_ANY;
	vp->pci.lock = &dev->lock;
	err = pci_register_device(dev->m, &vp->pci);
	if (err < 0) {
		snprintf(why, why_len, "no room on the PCI bus: %s",
			 strerror(-err));
		return err;
	}
	if (!dev->m->ioeventfd)
		return 0;	/* the unit tests: notify() on the vCPU */
	err = virtio_pci_start(vp);
	if (err) {
		snprintf(why, why_len, "its I/O thread: %s", strerror(-err));
		virtio_pci_stop(vp);
		pci_unregister_device(&vp->pci);
	}
	return err;
}

void virtio_pci_unregister(struct virtio_pci *vp)
{
	virtio_pci_stop(vp);
	pci_unregister_device(&vp->pci);
}

void virtio_pci_dev_reset(struct device *dev)
{
	struct virtio_pci *vp = dev->state;

	pci_device_reset(&vp->pci);
	virtio_pci_reset(vp);
}

void virtio_pci_dev_pause(struct device *dev)
{
	virtio_pci_pause(dev->state);
}

void virtio_pci_dev_resume(struct device *dev, uint64_t paused_ns)
{
	virtio_pci_resume(dev->state);
}

void virtio_pci_dev_stop(struct device *dev)
{
	virtio_pci_stop(dev->state);
}

void virtio_pci_pause(struct virtio_pci *vp)
{
	vp->paused = true;
	watch_update(vp);
}

void virtio_pci_resume(struct virtio_pci *vp)
{
	unsigned int i;

	vp->paused = false;
	watch_update(vp);
	for (i = 0; i < vp->ops->nr_queues; i++) {
		if (!vp->q[i].kicked_while_paused)
			continue;
		vp->q[i].kicked_while_paused = false;
		if (vp->threaded)
			kick(vp, i);
		else
			queue_work(vp, i);
	}
}

void virtio_pci_free(struct virtio_pci *vp)
{
	/* virtio_pci_init() never ran: no fd of ours, 0s from calloc. */
	if (vp->ops)
		close_fds(vp);
	pci_msi_free(&vp->pci);
}
