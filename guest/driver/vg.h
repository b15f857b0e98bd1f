/* SPDX-License-Identifier: GPL-2.0 */
/*
 * vireo_guest: Vireo's guest driver for VMMDev (PCI 80ee:cafe), for Linux
 * guests whose kernel lacks a working vboxguest.  It offers the same user
 * ABI as Linux's vboxguest (include/vmmdev/vboxguest_ioctl.h), as
 * /dev/vboxguest, so vireo-guestd has one code path.
 *
 *	vg_pci.c	PCI glue: probe, remove, the interrupt
 *	vg_core.c	requests, events, the heartbeat, reporting the guest
 *	vg_hgcm.c	HGCM calls with user buffers as page lists
 *	vg_ioctl.c	the character device and its ioctls
 */
#ifndef VIREO_GUEST_VG_H
#define VIREO_GUEST_VG_H

#include <linux/kref.h>
#include <linux/miscdevice.h>
#include <linux/mutex.h>
#include <linux/rwsem.h>
#include <linux/pci.h>
#include <linux/spinlock.h>
#include <linux/timer.h>
#include <linux/wait.h>

#include <vmmdev/vmmdev.h>

#ifndef CONFIG_X86
#error "VMMDev is a PC device: port I/O, 4 KiB HGCM pages"
#endif

/* Renamed in Linux 6.16. */
#ifndef from_timer
#define from_timer(var, t, field)	timer_container_of(var, t, field)
#endif

#define VG_NAME		"vireo_guest"
/* The events the driver always wants: HGCM completions. */
#define VG_FIXED_EVENTS	VMMDEV_EVENT_HGCM
#define VG_MAX_SESSION_CLIENTS	64

/*
 * The device outlives its PCI binding while files are open: each open
 * file holds a reference, and an unbind (rmmod, sysfs unbind, a hot
 * remove) sets gone under io_lock's write side, which waits out the
 * ioctls in flight (they hold the read side, and their waits end when
 * gone is set); from then on every ioctl answers -ENODEV.
 */
struct vg_dev {
	struct kref ref;
	struct rw_semaphore io_lock;
	bool gone;
	struct pci_dev *pdev;
	u16 io;				/* BAR0's first port */
	void __iomem *mmio;		/* BAR1: VMMDevMemory */
	/* The interrupt's own acknowledge request, preallocated. */
	struct vmmdev_events *ack;
	spinlock_t event_lock;		/* ack, pending_events */
	u32 pending_events;
	wait_queue_head_t event_wq;
	wait_queue_head_t hgcm_wq;
	struct timer_list heartbeat;
	struct vmmdev_header *beat;	/* the heartbeat request */
	unsigned long beat_interval;	/* jiffies; 0: none */
	struct miscdevice misc;
	struct mutex session_lock;	/* over sessions' client ids */
	u32 user_events;		/* CHANGE_FILTER_MASK's, over all */
};

struct vg_session {
	struct vg_dev *dev;
	u32 clients[VG_MAX_SESSION_CLIENTS];
	bool interrupted;		/* INTERRUPT_ALL_WAITS */
};

/* vg_core.c */
void *vg_req_alloc(size_t size, u32 type);
void vg_req_free(void *req, size_t size);
int vg_req_perform(struct vg_dev *dev, void *req);
int vg_core_init(struct vg_dev *dev);
void vg_core_exit(struct vg_dev *dev);
/* The interrupt's work: false when the host would not acknowledge. */
bool vg_core_isr(struct vg_dev *dev);
/* The host's event filter: the driver's events and or_mask, not not_mask. */
int vg_set_filter(struct vg_dev *dev, u32 or_mask, u32 not_mask);
void vg_dev_put(struct vg_dev *dev);

/* vg_hgcm.c */
/* Both wait for the host without signals: a client must not be lost. */
int vg_hgcm_connect(struct vg_dev *dev, const char *service, u32 *client_id,
		    int *vbox_rc);
int vg_hgcm_disconnect(struct vg_dev *dev, u32 client_id, int *vbox_rc);
/*
 * A call for user space: parms (count, user addresses in LinAddr
 * parameters) are the caller's copy; buffers are bounced through kernel
 * pages.  0 and *vbox_rc (the call's result), or -errno.
 */
int vg_hgcm_call_user(struct vg_dev *dev, u32 client_id, u32 function,
		      u32 timeout_ms, struct vmmdev_hgcm_parm64 *parms,
		      u32 count, int *vbox_rc);

/* vg_ioctl.c */
int vg_misc_register(struct vg_dev *dev);
void vg_misc_deregister(struct vg_dev *dev);

#endif /* VIREO_GUEST_VG_H */
