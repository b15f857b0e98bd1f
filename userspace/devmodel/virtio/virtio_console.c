// SPDX-License-Identifier: GPL-2.0
/*
 * virtio-console (VIRTIO 1.1, 5.3 "Console Device"): one port, no
 * multiport, no size: Linux's hvc0.  `--vconsole` adds it and makes it
 * the VM's console in place of COM1 (machine->console_virtio): its output
 * goes to vireo-vm's stdout (through the same bounded buffer the UART
 * would use, console_out.h, so a slow or gone reader never stops the
 * guest), its input comes from stdin or the control socket's console
 * clients, and COM1 stays on the bus with nothing behind it.  A Linux
 * guest then wants console=hvc0; what it printed before its virtio_console
 * driver came up it prints again on hvc0 (the kernel replays its log to a
 * new console).
 *
 * Queue 0 (receiveq) takes input: the driver gives buffers, and each
 * chunk read from the input fd fills one.  The input fd is watched only
 * while the driver has buffers there, so input waits in the pipe or
 * terminal otherwise, as the UART's does when its FIFO is full.  Queue 1
 * (transmitq) is output: every readable buffer goes to the console, taken
 * only while the console's buffer has room for a page, so a reader that
 * keeps up loses nothing and a stalled one (nothing taken for
 * CONSOLE_OUT_STALL_NS) has the output dropped as for the UART.
 */
#include <errno.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <seccomp.h>
#include <sys/epoll.h>
#include <sys/uio.h>
#include <linux/virtio_config.h>
#include <linux/virtio_ids.h>

#include "../console_out.h"
#include "../devices.h"
#include "../evloop.h"
#include "util.h"
#include "virtio_pci.h"

#define VCON_RX			0
#define VCON_TX			1
#define VCON_QUEUE_SIZE		128
/* Output is taken while the console's buffer has room for this much. */
#define VCON_TX_ROOM		4096
/*
 * Of one transmit request at most this much is printed (Linux sends a
 * page at most): a chain of 1024 buffers of all guest RAM would otherwise
 * keep the I/O thread putting bytes for minutes.
 */
#define VCON_TX_MAX		(64 * 1024)

struct virtio_console {
	struct virtio_pci vp;
	struct device *dev;
	struct console_out *out;
	int in_fd;
	bool in_watched, in_done;
	struct ev_timer *stall;		/* output waiting on a reader */
	struct virtq_elem elem;
};

/* The class hooks of virtio_pci.h take dev->state as its transport. */
_Static_assert(offsetof(struct virtio_console, vp) == 0, "vp first");

static bool queue_live(struct virtio_pci *vp, unsigned int q)
{
	return (vp->status & VIRTIO_CONFIG_S_DRIVER_OK) &&
	       !(vp->status & VIRTIO_CONFIG_S_NEEDS_RESET) &&
	       vp->q[q].enabled && !vp->q[q].vq.broken;
}

static void input_ready(void *opaque, int fd, uint32_t events);

static void input_unwatch(struct virtio_console *vc)
{
	if (!vc->in_watched)
		return;
	evloop_unwatch_fd(vc->dev->m->evloop, vc->in_fd);
	vc->in_watched = false;
}

/* Watch the input while the driver has receive buffers (the lock held). */
static void input_watch(struct virtio_console *vc)
{
	struct machine *m = vc->dev->m;

	if (vc->in_watched || vc->in_done || vc->in_fd < 0 || !m->evloop ||
	    !queue_live(&vc->vp, VCON_RX) ||
	    !virtq_has_work(&vc->vp.q[VCON_RX].vq))
		return;
	if (evloop_watch_fd(m->evloop, vc->in_fd, EPOLLIN, input_ready, vc,
			    &vc->dev->lock) == 0)
		vc->in_watched = true;
	else
		vc->in_done = true;	/* a file or /dev/null: no input */
}

/* Input is there: into the driver's next receive buffer (event loop). */
static void input_ready(void *opaque, int fd, uint32_t events)
{
	struct virtio_console *vc = opaque;
	struct virtq *vq = &vc->vp.q[VCON_RX].vq;
	struct virtq_elem *e = &vc->elem;
	ssize_t n;
	int r;

	if (!queue_live(&vc->vp, VCON_RX)) {
		input_unwatch(vc);
		return;
	}
	r = virtq_pop(vq, e);
	if (r < 0)
		virtio_pci_needs_reset(&vc->vp, VCON_RX);
	if (r != 1) {
		input_unwatch(vc);
		return;
	}
	/* 5.3.6.1: receive buffers are device-writable; readable ones skipped. */
	n = e->in ? readv(fd, &e->iov[e->out], e->in) : 0;
	if (n < 0 && (errno == EAGAIN || errno == EINTR))
		n = 0;
	else if (n <= 0) {
		/* EOF or a dead terminal: no more input, or epoll would spin. */
		input_unwatch(vc);
		vc->in_done = true;
		n = 0;
	}
	virtq_push(vq, e->head, n);
	virtio_pci_queue_done(&vc->vp, VCON_RX);
	if (!virtq_has_work(vq))
		input_unwatch(vc);
}

/* The console's buffer has room again: take output where it stopped. */
static void output_room(void *opaque)
{
	struct virtio_console *vc = opaque;

	virtio_pci_kick(&vc->vp, VCON_TX);
}

static void output(struct virtio_console *vc)
{
	struct virtq *vq = &vc->vp.q[VCON_TX].vq;
	struct virtq_elem *e = &vc->elem;
	unsigned int i, left = vq->size;
	size_t k, budget;
	bool room = true;
	int r = 0;

	if (!queue_live(&vc->vp, VCON_TX))
		return;
	while (left && (room = !vc->out ||
			console_out_room(vc->out, VCON_TX_ROOM)) &&
	       (r = virtq_pop(vq, e)) == 1) {
		left--;
		budget = VCON_TX_MAX;
		for (i = 0; vc->out && i < e->out && budget; i++) {
			const uint8_t *p = e->iov[i].iov_base;

			for (k = 0; k < e->iov[i].iov_len && budget; k++, budget--)
				console_out_put(vc->out, p[k]);
		}
		virtq_push(vq, e->head, 0);
	}
	if (r < 0)
		virtio_pci_needs_reset(&vc->vp, VCON_TX);
	virtio_pci_queue_done(&vc->vp, VCON_TX);
	/* A queue's worth done and more there: the thread comes back. */
	if (!left && virtq_has_work(vq))
		virtio_pci_kick(&vc->vp, VCON_TX);
	/*
	 * No room: output_room() comes when the reader makes some; a reader
	 * that makes none is stalled after CONSOLE_OUT_STALL_NS, and then
	 * console_out_room() says yes (output dropped): look again then,
	 * for nothing else would.
	 */
	if (!room && vc->stall)
		ev_timer_arm(vc->stall, evloop_now() + CONSOLE_OUT_STALL_NS +
			     1000000);
}

/* The stall timer (event loop, the device's lock held). */
static void output_stalled(void *opaque)
{
	output(opaque);
}

static void vcon_notify(struct virtio_pci *vp, unsigned int q)
{
	struct virtio_console *vc = vp->opaque;

	if (q == VCON_TX)
		output(vc);
	else
		input_watch(vc);	/* new receive buffers */
}

/* The driver's reset: no receive buffer any more. */
static void vcon_vp_reset(struct virtio_pci *vp)
{
	struct virtio_console *vc = vp->opaque;

	input_unwatch(vc);
}

static const struct virtio_ops vcon_ops = {
	.type = VIRTIO_ID_CONSOLE,
	.class_code = 0x078000,		/* communication, other: QEMU's */
	.nr_queues = 2,
	.queue_size = VCON_QUEUE_SIZE,
	.notify = vcon_notify,
	.reset = vcon_vp_reset,
};

static void vcon_resume(struct device *dev, uint64_t paused_ns)
{
	struct virtio_console *vc = dev->state;

	console_out_resume(vc->out, paused_ns);
	virtio_pci_resume(&vc->vp);
}

static void vcon_free(struct virtio_console *vc)
{
	struct machine *m = vc->dev->m;

	if (vc->stall)
		ev_timer_free(vc->stall);
	if (vc->out) {
		if (m->console == vc->out)
			m->console = NULL;
		console_out_destroy(vc->out);
	}
	virtio_pci_free(&vc->vp);
	free(vc);
}

static void vcon_destroy(struct device *dev)
{
	struct virtio_console *vc = dev->state;

	/* The thread first; the event loop has stopped: no race on the watch. */
	virtio_pci_stop(&vc->vp);
	input_unwatch(vc);
	virtio_pci_unregister(&vc->vp);
	vcon_free(vc);
}

static int vcon_create(struct device *dev, const struct dev_opts *opts,
		       char *why, size_t why_len)
{
	struct machine *m = dev->m;
	struct virtio_console *vc;
	int err;

	if (!m->console_virtio) {
		snprintf(why, why_len,
			 "the console is COM1's: --vconsole makes it this device's");
		return -EINVAL;
	}
	vc = calloc(1, sizeof(*vc));
	if (!vc)
		return -ENOMEM;
	vc->dev = dev;
	vc->in_fd = m->console_in_fd;
	err = virtio_pci_init(&vc->vp, &vcon_ops, vc);
	if (err) {
		snprintf(why, why_len, "virtio transport: %s", strerror(-err));
		goto fail;
	}
	if (m->console_fd >= 0) {
		vc->out = console_out_create(m->evloop, m->console_fd,
					     CONSOLE_OUT_SIZE, &dev->lock);
		if (!vc->out) {
			err = -ENOMEM;
			goto fail;
		}
		console_out_on_room(vc->out, output_room, vc);
		vc->stall = ev_timer_new(m->evloop, output_stalled, vc,
					 &dev->lock);
		if (!vc->stall) {
			err = -ENOMEM;
			goto fail;
		}
	}
	err = virtio_pci_register(&vc->vp, dev, why, why_len);
	if (err)
		goto fail;
	dev->state = vc;
	if (vc->out)
		m->console = vc->out;
	return 0;
fail:
	vcon_free(vc);
	return err;
}

/* Its console output as the UART's: sendto() to a socket, poll(). */
static const int vcon_syscalls[] = {
	SCMP_SYS(readv), SCMP_SYS(sendto), SCMP_SYS(poll),
};

static const struct dev_class virtio_console_class = {
	.name = "virtio-console",
	.desc = "virtio console (PCI 1af4:1043, Linux's hvc0) as the VM's console; --vconsole adds it",
	.level = DEV_INIT_DEV,
	.max_instances = 1,
	.create = vcon_create,
	.reset = virtio_pci_dev_reset,
	.pause = virtio_pci_dev_pause,
	.resume = vcon_resume,
	.stop = virtio_pci_dev_stop,
	.destroy = vcon_destroy,
	.syscalls = vcon_syscalls,
	.nr_syscalls = ARRAY_SIZE(vcon_syscalls),
};
DEVICE_CLASS(virtio_console_class);
