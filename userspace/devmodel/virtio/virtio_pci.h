/* SPDX-License-Identifier: GPL-2.0 */
/*
 * virtio over PCI, the modern interface only (VIRTIO 1.1, 4.1 "Virtio
 * Over PCI Bus"): the transport every virtio device file sits on.  The
 * device file says what it is (struct virtio_ops) and handles its
 * queues; the transport is the PCI function around it:
 *
 *   - IDs 1af4:(1040 + device type), revision 1, so that drivers take it
 *     as a non-transitional device (4.1.2.1);
 *   - BAR 4, 64-bit memory, 16 KiB: the common configuration at 0, the
 *     ISR status at 0x1000, the device configuration at 0x2000, the queue
 *     notifications at 0x3000 (queue N at 0x3000 + 4 N), each described
 *     by a vendor capability (4.1.4);
 *   - BAR 1, 4 KiB: the MSI-X table (one vector per queue and one for
 *     configuration changes) and its pending bits (pci_msi.h); until the
 *     driver enables MSI-X, INTA and the ISR;
 *   - the features VERSION_1, INDIRECT_DESC and EVENT_IDX on top of the
 *     device's own, and the status handshake of 3.1: FEATURES_OK only for
 *     a subset of what is offered that has VERSION_1, status 0 a reset.
 *
 * A queue notification calls the device's notify() on the vCPU thread
 * that wrote it, under the device's lock, as every BAR access is.  A
 * queue the driver broke (virtqueue.h) makes the transport set
 * DEVICE_NEEDS_RESET and send a configuration interrupt (2.1.2); the VM
 * goes on.
 */
#ifndef VIREO_VIRTIO_PCI_H
#define VIREO_VIRTIO_PCI_H

#include <pthread.h>
#include <stdbool.h>
#include <stdint.h>

#include "../pci/pci.h"
#include "virtqueue.h"

#define VIRTIO_PCI_VENDOR		0x1af4
#define VIRTIO_PCI_DEVICE_BASE		0x1040
#define VIRTIO_PCI_MAX_QUEUES		16
#define VIRTIO_PCI_NO_VECTOR		0xffff
/* The ISR status byte (4.1.4.5). */
#define VIRTIO_PCI_ISR_QUEUE_BIT	0x1
#define VIRTIO_PCI_ISR_CONFIG_BIT	0x2

/* BAR 4's layout. */
#define VIRTIO_PCI_BAR			4
#define VIRTIO_PCI_BAR_SIZE		0x4000
#define VIRTIO_PCI_COMMON_OFF		0x0000
#define VIRTIO_PCI_ISR_OFF		0x1000
#define VIRTIO_PCI_DEVICE_OFF		0x2000
#define VIRTIO_PCI_NOTIFY_OFF		0x3000
#define VIRTIO_PCI_NOTIFY_MULT		4
#define VIRTIO_PCI_REGION		0x1000
/* BAR 1: MSI-X. */
#define VIRTIO_PCI_MSIX_BAR		1
#define VIRTIO_PCI_MSIX_BAR_SIZE	0x1000
#define VIRTIO_PCI_MSIX_PBA_OFF		0x800

struct virtio_pci;

/* What a virtio device file gives the transport. */
struct virtio_ops {
	uint16_t type;			/* VIRTIO_ID_*: the PCI device ID */
	uint32_t class_code;		/* class << 16 | subclass << 8 */
	uint16_t nr_queues;		/* 1 .. VIRTIO_PCI_MAX_QUEUES */
	uint16_t queue_size;		/* the largest, a power of 2 */
	uint64_t features;		/* the device's own feature bits */
	uint32_t config_size;		/* its configuration space, bytes */
	/*
	 * The device configuration space (4.1.4.6): len 1, 2 or 4 bytes
	 * within config_size.  Either may be NULL: reads are zeros, writes
	 * are dropped.
	 */
	void (*config_read)(struct virtio_pci *vp, uint32_t offset,
			    uint8_t *buf, uint32_t len);
	void (*config_write)(struct virtio_pci *vp, uint32_t offset,
			     const uint8_t *buf, uint32_t len);
	/* The driver notified queue q (enabled, of this device). */
	void (*notify)(struct virtio_pci *vp, unsigned int q);
	/* The driver reset the device (or the machine reset): optional. */
	void (*reset)(struct virtio_pci *vp);
	/*
	 * The driver set DRIVER_OK: the features are final (vp->features).
	 * Optional; under the device's lock, on the vCPU thread.
	 */
	void (*driver_ok)(struct virtio_pci *vp);
};

struct virtio_pci_queue {
	struct virtq vq;
	uint16_t vector;		/* MSI-X vector, or NO_VECTOR */
	bool enabled;
	int kick_fd;			/* its notifications (I/O thread) */
	bool kicked_while_paused;
};

struct virtio_pci {
	struct pci_device pci;
	const struct virtio_ops *ops;
	void *opaque;			/* the device file's own */
	uint64_t offered;		/* what the device offers in all */
	uint64_t features;		/* what the driver accepted */
	uint32_t dfselect, gfselect;
	uint16_t config_vector;
	uint16_t queue_select;
	uint8_t status;
	uint8_t config_generation;
	uint8_t isr;
	struct virtio_pci_queue q[VIRTIO_PCI_MAX_QUEUES];
	/* The I/O thread (virtio_pci_start()), and BAR 4's ioeventfds. */
	bool threaded;
	bool stopping;			/* atomic: the thread must end */
	bool paused;
	int epfd, stop_fd;
	pthread_t thread;
	bool ioeventfds;		/* registered at notify_base */
	uint64_t notify_base;
	/* An fd of the device's own the thread watches (virtio_pci_watch()). */
	int watch_fd;
	void (*watch_ready)(struct virtio_pci *vp);
	bool watch_on;			/* wanted by the device */
	bool watch_armed;		/* in the epoll set with EPOLLIN */
};

/*
 * Fill in vp as a PCI function for ops (vp->pci.lock and the rest of the
 * pci_device the caller sets, then pci_register_device()): 0 or -errno.
 */
int virtio_pci_init(struct virtio_pci *vp, const struct virtio_ops *ops,
		    void *opaque);
/* What init and start allocated, once off the bus and stopped. */
void virtio_pci_free(struct virtio_pci *vp);

/* Back to the power-on state: status 0, queues off, vectors none. */
void virtio_pci_reset(struct virtio_pci *vp);

/* Was feature bit f negotiated? */
bool virtio_pci_has(const struct virtio_pci *vp, unsigned int f);

/*
 * After giving back buffers on queue q: interrupt the driver if it wants
 * (virtq_should_notify()), by the queue's MSI-X vector or by INTA.
 */
void virtio_pci_queue_done(struct virtio_pci *vp, unsigned int q);

/* The device's configuration changed: a configuration interrupt. */
void virtio_pci_config_changed(struct virtio_pci *vp);

/*
 * The driver broke a queue (virtq_pop() said -EIO): DEVICE_NEEDS_RESET
 * and a configuration interrupt; the device stops using the queue.
 */
void virtio_pci_needs_reset(struct virtio_pci *vp, unsigned int q);

/*
 * Put vp (virtio_pci_init() done) on dev's machine's PCI bus as dev's
 * function, under dev's lock, and start its I/O thread where the machine
 * has ioeventfds (vireo-vm): 0, or -errno with the reason in why and
 * nothing left registered or running (virtio_pci_free() is the caller's).
 */
struct device;
int virtio_pci_register(struct virtio_pci *vp, struct device *dev,
			char *why, size_t why_len);
/*
 * The first half of a destroy: the I/O thread stopped, then off the bus
 * (its ioeventfds go while their eventfds are open); virtio_pci_free()
 * after the device's own cleanup closes the eventfds.
 */
void virtio_pci_unregister(struct virtio_pci *vp);

/*
 * Run the device's queues on an I/O thread of its own (after
 * pci_register_device(); vireo-vm's devices, where machine->ioeventfd
 * exists): each queue's notification becomes an eventfd, which the
 * kernel signals itself (VIREO_IOEVENTFD at BAR 4's notify addresses)
 * while the vCPU goes on, and the thread calls notify() under the
 * device's lock.  Without it (the unit tests) notify() runs on the vCPU
 * thread that wrote.  0 or -errno.
 */
int virtio_pci_start(struct virtio_pci *vp);
/*
 * Stop the thread (and make virtio_pci_lock() fail for the device's own):
 * first in a device's destroy(), then pci_unregister_device() (which
 * takes the ioeventfds back), then virtio_pci_free() (the eventfds).
 */
void virtio_pci_stop(struct virtio_pci *vp);
/*
 * Take the device's lock from a thread of the device's own (an I/O
 * worker): true with the lock held, false (not held) once the device is
 * being stopped, whose destroy() holds the lock while it joins them.
 */
bool virtio_pci_lock(struct virtio_pci *vp);
/*
 * Have the I/O thread look at queue q again, as if the driver had
 * notified it (a device that left requests on the queue for want of
 * room); nothing without a thread.
 */
void virtio_pci_kick(struct virtio_pci *vp, unsigned int q);
/*
 * Have the I/O thread also watch fd (a network back end's), after
 * virtio_pci_start(): while the device wants it (virtio_pci_watch_on()),
 * ready() runs on the thread under the device's lock each time fd is
 * readable; never while the machine is paused or the device stopping.
 * One fd per device; 0 or -errno.
 */
int virtio_pci_watch(struct virtio_pci *vp, int fd,
		     void (*ready)(struct virtio_pci *vp));
/* Want ready() calls (true) or not (false); the device's lock held. */
void virtio_pci_watch_on(struct virtio_pci *vp, bool on);

/*
 * The device-class hooks (devices.h) of a virtio device whose state
 * (dev->state) begins with its struct virtio_pci, for classes with
 * nothing of their own to do there: the machine's reset (the PCI
 * function's, then the device's), pause, resume, and the VM's end (the
 * I/O thread stopped).
 */
void virtio_pci_dev_reset(struct device *dev);
void virtio_pci_dev_pause(struct device *dev);
void virtio_pci_dev_resume(struct device *dev, uint64_t paused_ns);
void virtio_pci_dev_stop(struct device *dev);

/* The machine pauses and resumes: no queue work while paused. */
void virtio_pci_pause(struct virtio_pci *vp);
void virtio_pci_resume(struct virtio_pci *vp);

/* The BAR 4 and BAR 1 callbacks (the device's lock held). */
extern const struct bus_ops virtio_pci_bar_ops;
extern const struct bus_ops virtio_pci_msix_ops;

#endif /* VIREO_VIRTIO_PCI_H */
