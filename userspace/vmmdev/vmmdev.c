// SPDX-License-Identifier: GPL-2.0
/*
 * VMMDev, VirtualBox's host/guest communication device, as a PCI function
 * of vireo-vm (docs/vmmdev.md).  Present in every VM, as in VirtualBox;
 * `vireo-vm --no-vmmdev` leaves it out.
 *
 *	BAR0	32 ports: a 32-bit write at 0 is a request's guest-physical
 *		address (vmmdev_req.c handles it before the write returns);
 *		a 32-bit read at 8 acknowledges the pending events
 *	BAR1	the 4 MiB VMMDevMemory area: size, version 1, and the "have
 *		events" flag the guest's interrupt handler checks first
 *	0x504	the backdoor log port: bytes, a line at a time, to the log
 *	INTA	level-triggered: high while (events & filter) != 0 and the
 *		additions have reported themselves
 */
#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/random.h>
#include <seccomp.h>

#include <vmmdev/vbox_status.h>

#include "bus.h"
#include "devstate.h"
#include "evloop.h"
#include "machine.h"
#include "util.h"
#include "vmmdev_dev.h"

/*
 * The size the VMMDevMemory area says it has.  Past its 16-byte head
 * VirtualBox keeps a video acceleration ring Vireo has no use for, but
 * Linux's driver refuses a size under 32: 32, the rest reading as 0.
 */
#define VMMDEV_MEMORY_FILLED	32

/* Guest-caused errors logged: a burst of this many, then one a second. */
#define VMMDEV_ERR_BURST	20
#define VMMDEV_ERR_WINDOW_NS	1000000000ULL

void vmmdev_log_error(struct vmmdev *vd, const char *fmt, ...)
{
	uint64_t now = machine_now(vd->m);
	va_list ap;

	if (now - vd->err_window_ns >= VMMDEV_ERR_WINDOW_NS) {
		if (vd->err_suppressed)
			pr_info("vmmdev: %llu more guest errors not logged\n",
				(unsigned long long)vd->err_suppressed);
		vd->err_window_ns = now;
		vd->err_burst = 0;
		vd->err_suppressed = 0;
	}
	if (vd->err_burst >= VMMDEV_ERR_BURST) {
		vd->err_suppressed++;
		return;
	}
	vd->err_burst++;
	fprintf(stderr, "%s: vmmdev: ", program_invocation_short_name);
	va_start(ap, fmt);
	vfprintf(stderr, fmt, ap);
	va_end(ap);
	fputc('\n', stderr);
}

/*
 * The line follows (events & filter) once the additions have reported;
 * before that events only gather (VirtualBox does the same).  The flag
 * is set before the line goes up, so the handler that runs finds it.
 */
void vmmdev_update_irq(struct vmmdev *vd)
{
	bool level = vd->additions_ok && (vd->events & vd->filter);

	if (level)
		vd->have_events = 1;
	pci_irq_set(&vd->pci, level);
}

void vmmdev_raise(struct vmmdev *vd, uint32_t events)
{
	vd->events |= events & VMMDEV_EVENT_VALID_MASK;
	vmmdev_update_irq(vd);
}

/* AcknowledgeEvents and the fast read: take what the guest is shown. */
uint32_t vmmdev_ack(struct vmmdev *vd)
{
	uint32_t taken = vd->events & vd->filter;

	vd->events &= ~taken;
	vd->have_events = 0;
	pci_irq_set(&vd->pci, false);
	return taken;
}

/* The guest may not filter out HGCM: its calls' completions need it. */
void vmmdev_set_filter(struct vmmdev *vd, uint32_t or_mask, uint32_t not_mask)
{
	not_mask &= ~VMMDEV_EVENT_HGCM;
	vd->filter = ((vd->filter | or_mask) & ~not_mask) &
		     VMMDEV_EVENT_VALID_MASK;
	vmmdev_update_irq(vd);
}

/*
 * Heartbeat.  A beat only records the time: Linux's driver may beat far
 * more often than asked, so a beat must cost nothing.  The timer checks
 * at the deadline the last beat set, and moves itself on when a beat
 * came since.
 */
static void hb_check(void *opaque)
{
	struct vmmdev *vd = opaque;
	uint64_t now = machine_now(vd->m);

	if (!vd->hb_enabled)
		return;
	if (now - vd->hb_last_ns < VMMDEV_HEARTBEAT_TIMEOUT_NS) {
		ev_timer_arm(vd->hb_timer,
			     vd->hb_last_ns + VMMDEV_HEARTBEAT_TIMEOUT_NS);
		return;
	}
	if (!vd->hb_flatlined)
		pr_info("vmmdev: no heartbeat from the guest for %llu ms: its kernel seems hung\n",
			(unsigned long long)((now - vd->hb_last_ns) / 1000000));
	vd->hb_flatlined = true;
}

void vmmdev_heartbeat(struct vmmdev *vd)
{
	vd->hb_beats++;
	if (!vd->hb_enabled)
		return;
	vd->hb_last_ns = machine_now(vd->m);
	if (vd->hb_flatlined) {
		pr_info("vmmdev: the guest's heartbeat is back\n");
		vd->hb_flatlined = false;
		ev_timer_arm(vd->hb_timer,
			     vd->hb_last_ns + VMMDEV_HEARTBEAT_TIMEOUT_NS);
	}
}

int vmmdev_heartbeat_configure(struct vmmdev *vd, bool enabled)
{
	if (enabled == vd->hb_enabled)
		return VINF_SUCCESS;
	vd->hb_enabled = enabled;
	vd->hb_flatlined = false;
	if (!vd->hb_timer)
		return VINF_SUCCESS;
	if (enabled) {
		vd->hb_last_ns = machine_now(vd->m);
		ev_timer_arm(vd->hb_timer,
			     vd->hb_last_ns + VMMDEV_HEARTBEAT_TIMEOUT_NS);
	} else {
		ev_timer_disarm(vd->hb_timer);
	}
	return VINF_SUCCESS;
}

static uint64_t vmmdev_port_read(void *opaque, uint64_t offset,
				 unsigned int size)
{
	struct vmmdev *vd = opaque;

	/* The fast acknowledge: only a dword read at 8, once reported. */
	if (offset != VMMDEV_PORT_REQUEST_FAST || size != 4 ||
	    !vd->additions_ok)
		return 0xffffffff;
	return vmmdev_ack(vd);
}

static void vmmdev_port_write(void *opaque, uint64_t offset,
			      unsigned int size, uint64_t value)
{
	struct vmmdev *vd = opaque;

	if ((offset != VMMDEV_PORT_REQUEST &&
	     offset != VMMDEV_PORT_REQUEST_FAST) || size != 4) {
		vmmdev_log_error(vd, "%u-byte write to port offset %llu ignored",
				 size, (unsigned long long)offset);
		return;
	}
	vmmdev_request(vd, (uint32_t)value);
}

static const struct bus_ops vmmdev_port_ops = {
	.read = vmmdev_port_read,
	.write = vmmdev_port_write,
};

static uint64_t vmmdev_mem_read(void *opaque, uint64_t offset,
				unsigned int size)
{
	struct vmmdev *vd = opaque;
	struct vmmdev_memory mem = {
		.size = VMMDEV_MEMORY_FILLED,
		.version = VMMDEV_MEMORY_VERSION,
		.have_events = vd->have_events,
	};
	uint64_t v = 0;

	if (offset + size <= sizeof(mem))
		memcpy(&v, (uint8_t *)&mem + offset, size);
	return v;
}

/* The guest writes nothing there that the host reads. */
static const struct bus_ops vmmdev_mem_ops = {
	.read = vmmdev_mem_read,
};

/* Bytes to the VM's log, a line at a time (Linux's driver logs here). */
static void vmmdev_log_write(void *opaque, uint64_t offset,
			     unsigned int size, uint64_t value)
{
	struct vmmdev *vd = opaque;
	char ch = (char)value;
	bool end = ch == '\n' || ch == '\r';

	if (!end && (ch < 0x20 || ch > 0x7e))
		ch = '?';
	if (!end)
		vd->log_line[vd->log_len++] = ch;
	if ((end && vd->log_len) ||
	    vd->log_len == sizeof(vd->log_line) - 1) {
		vd->log_line[vd->log_len] = '\0';
		vmmdev_log_error(vd, "guest: %s", vd->log_line);
		vd->log_len = 0;
	}
}

static const struct bus_ops vmmdev_log_ops = {
	.write = vmmdev_log_write,
	.byte_regs = true,
};

/* A new session: the additions step the guest's clock when it changes. */
static void new_session(struct vmmdev *vd)
{
	if (getrandom(&vd->session_id, sizeof(vd->session_id), 0) !=
	    sizeof(vd->session_id))
		vd->session_id ^= evloop_now() | 1;
}

static void vmmdev_power_on(struct vmmdev *vd)
{
	vd->additions_ok = false;
	vd->interface_version = 0;
	vd->os_type = 0;
	vd->have_info2 = false;
	memset(&vd->info2, 0, sizeof(vd->info2));
	vd->guest_caps = 0;
	vd->mouse_features = 0;
	vd->nr_facilities = 0;
	vd->events = 0;
	vd->filter = 0;
	vd->have_events = 0;
	vd->hb_enabled = false;
	vd->hb_flatlined = false;
	if (vd->hb_timer)
		ev_timer_disarm(vd->hb_timer);
	vd->log_len = 0;
	new_session(vd);
}

static void vmmdev_reset(struct device *dev)
{
	struct vmmdev *vd = dev->state;

	hgcm_reset(vd);
	pci_device_reset(&vd->pci);
	vmmdev_power_on(vd);
}

static void vmmdev_pause(struct device *dev)
{
	struct vmmdev *vd = dev->state;

	if (vd->hb_timer)
		ev_timer_disarm(vd->hb_timer);
}

/*
 * Paused time is no silence: the guest could not beat.  Its wall clock
 * is behind by the pause: a new session id has the additions step it,
 * as after a restore (VirtualBox renews it only then).
 */
static void vmmdev_resume(struct device *dev, uint64_t paused_ns)
{
	struct vmmdev *vd = dev->state;

	new_session(vd);
	if (!vd->hb_enabled || !vd->hb_timer)
		return;
	vd->hb_last_ns += paused_ns;
	ev_timer_arm(vd->hb_timer, vd->hb_last_ns + VMMDEV_HEARTBEAT_TIMEOUT_NS);
}

static void vmmdev_free(struct vmmdev *vd)
{
	if (vd->hb_timer)
		ev_timer_free(vd->hb_timer);
	hgcm_destroy(vd);
	free(vd->req);
	free(vd);
}

static int vmmdev_create(struct device *dev, const struct dev_opts *opts,
			 char *why, size_t why_len)
{
	struct machine *m = dev->m;
	struct vmmdev *vd = calloc(1, sizeof(*vd));
	int err;

	if (!vd)
		return -ENOMEM;
	vd->dev = dev;
	vd->m = m;
	vd->req = malloc(VMMDEV_MAX_REQUEST_SIZE);
	if (!vd->req || hgcm_init(vd)) {
		vmmdev_free(vd);
		return -ENOMEM;
	}
	if (m->evloop) {
		vd->hb_timer = ev_timer_new(m->evloop, hb_check, vd,
					    &dev->lock);
		if (!vd->hb_timer) {
			vmmdev_free(vd);
			return -ENOMEM;
		}
	}
	vd->pci = (struct pci_device) {
		.name = dev->name,
		.vendor_id = VMMDEV_VENDOR_ID,
		.device_id = VMMDEV_DEVICE_ID,
		.class_code = VMMDEV_CLASS,
		.irq_pin = 1,
		.slot = PCI_SLOT_ANY,
		.opaque = vd,
		.lock = &dev->lock,
		.bars = {
			[0] = { .type = PCI_BAR_IO, .size = VMMDEV_PORT_SIZE,
				.pio_ops = &vmmdev_port_ops, .opaque = vd },
			[1] = { .type = PCI_BAR_MEM32, .size = VMMDEV_RAM_SIZE,
				.mmio_ops = &vmmdev_mem_ops, .opaque = vd },
		},
	};
	err = pci_register_device(m, &vd->pci);
	if (err < 0) {
		snprintf(why, why_len, "no room on the PCI bus: %s",
			 strerror(-err));
		vmmdev_free(vd);
		return err;
	}
	err = bus_register(&m->pio, VMMDEV_LOG_PORT, 1, &vmmdev_log_ops, vd,
			   &dev->lock);
	if (err) {
		snprintf(why, why_len, "port %#x: %s", VMMDEV_LOG_PORT,
			 strerror(-err));
		pci_unregister_device(&vd->pci);
		vmmdev_free(vd);
		return err;
	}
	dev->state = vd;
	vmmdev_power_on(vd);
	vmmdev_host_attach(vd);
	return 0;
}

static void vmmdev_destroy(struct device *dev)
{
	struct vmmdev *vd = dev->state;

	vmmdev_host_detach(vd);
	bus_unregister(&dev->m->pio, VMMDEV_LOG_PORT);
	pci_unregister_device(&vd->pci);
	vmmdev_free(vd);
}

/* The VM process keeps the guest properties at its end (props_keep.h). */
static const int vmmdev_syscalls[] = {
	SCMP_SYS(pwrite64), SCMP_SYS(ftruncate), SCMP_SYS(fdatasync),
};

static const struct dev_class vmmdev_class = {
	.name = "vmmdev",
	.desc = "VirtualBox's VMMDev (PCI 80ee:cafe): the guest additions' channel",
	.level = DEV_INIT_DEV,
	.is_default = true,
	.create = vmmdev_create,
	.reset = vmmdev_reset,
	.pause = vmmdev_pause,
	.resume = vmmdev_resume,
	.destroy = vmmdev_destroy,
	.syscalls = vmmdev_syscalls,
	.nr_syscalls = ARRAY_SIZE(vmmdev_syscalls),
};
DEVICE_CLASS(vmmdev_class);
