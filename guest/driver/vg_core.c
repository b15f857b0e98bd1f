// SPDX-License-Identifier: GPL-2.0
/*
 * The OS-independent part of the guest driver: requests to the host,
 * events, the heartbeat, and telling the host who the guest is.
 *
 * A request lives in memory below 4 GiB (its address is written to a
 * 32-bit port), in whole pages, so that the host reads one run of
 * guest-physical memory.
 */
#include <linux/gfp.h>
#include <linux/io.h>
#include <linux/mm.h>
#include <linux/utsname.h>

#include <vmmdev/vbox_status.h>

#include "vg.h"

/* The interface this driver speaks, as ReportGuestInfo2 tells it. */
#define VG_ADDITIONS_MAJOR	6
#define VG_ADDITIONS_MINOR	0
#define VG_ADDITIONS_BUILD	0

void *vg_req_alloc(size_t size, u32 type)
{
	struct vmmdev_header *h;

	/* A caller's size may not be had: its ioctl fails, no warning. */
	h = (void *)__get_free_pages(GFP_KERNEL | __GFP_DMA32 | __GFP_ZERO |
				     __GFP_NOWARN, get_order(size));
	if (!h)
		return NULL;
	h->size = size;
	h->version = VMMDEV_REQUEST_VERSION;
	h->type = type;
	h->rc = VERR_GENERAL_FAILURE;
	h->requestor = VMMDEV_REQUESTOR_USR_DRV;
	return h;
}

void vg_req_free(void *req, size_t size)
{
	if (req)
		free_pages((unsigned long)req, get_order(size));
}

/* The host answers before the port write returns. */
int vg_req_perform(struct vg_dev *dev, void *req)
{
	struct vmmdev_header *h = req;

	outl(virt_to_phys(req), dev->io + VMMDEV_PORT_REQUEST);
	/* The host wrote the answer during the OUT: read it after. */
	mb();
	return READ_ONCE(h->rc);
}

/*
 * One fixed-size request, its fields set by fill: the host's status
 * (VINF_SUCCESS or a VERR_; VERR_NO_MEMORY when none could be had).
 */
static int simple_request(struct vg_dev *dev, u32 type, size_t size,
			  void (*fill)(void *req, const void *arg),
			  const void *arg, void *out)
{
	void *req = vg_req_alloc(size, type);
	int rc;

	if (!req)
		return VERR_NO_MEMORY;
	if (fill)
		fill(req, arg);
	rc = vg_req_perform(dev, req);
	if (out)
		memcpy(out, req, size);
	vg_req_free(req, size);
	return rc;
}

static void fill_info2(void *req, const void *arg)
{
	struct vmmdev_guest_info2 *r = req;

	r->major = VG_ADDITIONS_MAJOR;
	r->minor = VG_ADDITIONS_MINOR;
	r->build = VG_ADDITIONS_BUILD;
	snprintf(r->name, sizeof(r->name), "%u.%u.%u",
		 VG_ADDITIONS_MAJOR, VG_ADDITIONS_MINOR, VG_ADDITIONS_BUILD);
}

static void fill_info(void *req, const void *arg)
{
	struct vmmdev_guest_info *r = req;

	r->interface_version = VMMDEV_VERSION;
	r->os_type = VMMDEV_OSTYPE_LINUX26;
	if (IS_ENABLED(CONFIG_X86_64))
		r->os_type |= VMMDEV_OSTYPE_X64;
}

static void fill_mask(void *req, const void *arg)
{
	struct vmmdev_mask *r = req;
	const u32 *m = arg;

	r->or_mask = m[0];
	r->not_mask = m[1];
}

static void fill_status(void *req, const void *arg)
{
	struct vmmdev_guest_status *r = req;
	const u32 *s = arg;

	r->facility = VMMDEV_FACILITY_DRIVER;
	r->status = *s;
}

static void fill_heartbeat(void *req, const void *arg)
{
	struct vmmdev_heartbeat *r = req;

	r->enabled = *(const bool *)arg;
}

static int report_driver(struct vg_dev *dev, u32 status)
{
	return simple_request(dev, VMMDEV_REQ_REPORT_GUEST_STATUS,
			      sizeof(struct vmmdev_guest_status), fill_status,
			      &status, NULL);
}

static void heartbeat_fn(struct timer_list *t)
{
	struct vg_dev *dev = from_timer(dev, t, heartbeat);

	vg_req_perform(dev, dev->beat);
	mod_timer(&dev->heartbeat, jiffies + dev->beat_interval);
}

/* The host says how often; a beat every interval from then on. */
static void heartbeat_start(struct vg_dev *dev)
{
	struct vmmdev_heartbeat hb;
	bool on = true;
	u64 ms;

	dev->beat = vg_req_alloc(sizeof(*dev->beat), VMMDEV_REQ_GUEST_HEARTBEAT);
	if (!dev->beat)
		return;
	if (simple_request(dev, VMMDEV_REQ_HEARTBEAT_CONFIGURE, sizeof(hb),
			   fill_heartbeat, &on, &hb) < 0 || !hb.interval_ns) {
		vg_req_free(dev->beat, sizeof(*dev->beat));
		dev->beat = NULL;
		return;
	}
	/* Whatever the host says, between 100 ms and an hour. */
	ms = clamp_t(u64, div_u64(hb.interval_ns, NSEC_PER_MSEC), 100,
		     3600 * MSEC_PER_SEC);
	dev->beat_interval = msecs_to_jiffies((unsigned int)ms);
	timer_setup(&dev->heartbeat, heartbeat_fn, 0);
	mod_timer(&dev->heartbeat, jiffies + dev->beat_interval);
	dev_info(&dev->pdev->dev, "heartbeat every %llu ms\n", ms);
}

static void heartbeat_stop(struct vg_dev *dev)
{
	bool off = false;

	if (!dev->beat)
		return;
	timer_delete_sync(&dev->heartbeat);
	simple_request(dev, VMMDEV_REQ_HEARTBEAT_CONFIGURE,
		       sizeof(struct vmmdev_heartbeat), fill_heartbeat, &off,
		       NULL);
	vg_req_free(dev->beat, sizeof(*dev->beat));
	dev->beat = NULL;
}

int vg_set_filter(struct vg_dev *dev, u32 or_mask, u32 not_mask)
{
	u32 mask[2] = { or_mask | VG_FIXED_EVENTS,
			not_mask & ~(u32)VG_FIXED_EVENTS };

	return simple_request(dev, VMMDEV_REQ_CTL_GUEST_FILTER_MASK,
			      sizeof(struct vmmdev_mask), fill_mask, mask,
			      NULL);
}

int vg_core_init(struct vg_dev *dev)
{
	struct vmmdev_host_version hv;
	u32 caps[2] = { 0, ~0u };
	int rc;

	/* What the interrupt needs, before the host is told anything. */
	dev->ack = vg_req_alloc(sizeof(*dev->ack),
				VMMDEV_REQ_ACKNOWLEDGE_EVENTS);
	if (!dev->ack)
		return -ENOMEM;

	rc = simple_request(dev, VMMDEV_REQ_GET_HOST_VERSION, sizeof(hv),
			    NULL, NULL, &hv);
	if (rc < 0 || !(hv.features & VMMDEV_HVF_HGCM_PHYS_PAGE_LIST)) {
		dev_err(&dev->pdev->dev, "the host offers no HGCM page lists (rc %d)\n",
			rc);
		goto err_ack;
	}
	dev_info(&dev->pdev->dev, "host %u.%u.%u, features %#x\n", hv.major,
		 hv.minor, hv.build, hv.features);
	rc = simple_request(dev, VMMDEV_REQ_REPORT_GUEST_INFO2,
			    sizeof(struct vmmdev_guest_info2), fill_info2, NULL,
			    NULL);
	if (rc >= 0)
		rc = simple_request(dev, VMMDEV_REQ_REPORT_GUEST_INFO,
				    sizeof(struct vmmdev_guest_info),
				    fill_info, NULL, NULL);
	if (rc >= 0)
		rc = vg_set_filter(dev, 0, ~0u);
	if (rc >= 0)
		rc = simple_request(dev, VMMDEV_REQ_SET_GUEST_CAPABILITIES,
				    sizeof(struct vmmdev_mask), fill_mask,
				    caps, NULL);
	if (rc < 0) {
		dev_err(&dev->pdev->dev, "the host refused the guest's info (rc %d)\n",
			rc);
		goto err_ack;
	}
	heartbeat_start(dev);
	report_driver(dev, VMMDEV_FACILITY_ACTIVE);
	return 0;

err_ack:
	vg_req_free(dev->ack, sizeof(*dev->ack));
	dev->ack = NULL;
	return -ENODEV;
}

void vg_core_exit(struct vg_dev *dev)
{
	u32 mask[2] = { 0, ~0u };

	heartbeat_stop(dev);
	report_driver(dev, VMMDEV_FACILITY_INACTIVE);
	/* All of it, the driver's own events too: nobody listens. */
	simple_request(dev, VMMDEV_REQ_CTL_GUEST_FILTER_MASK,
		       sizeof(struct vmmdev_mask), fill_mask, mask, NULL);
	vg_req_free(dev->ack, sizeof(*dev->ack));
	dev->ack = NULL;
}

/*
 * The interrupt: acknowledge what the host raised; HGCM completions wake
 * the callers waiting for theirs, every other event whoever waits for
 * events.
 */
bool vg_core_isr(struct vg_dev *dev)
{
	unsigned long flags;
	u32 events = 0;
	bool acked;

	spin_lock_irqsave(&dev->event_lock, flags);
	/* Whole again each time: the host writes the request back. */
	*dev->ack = (struct vmmdev_events) {
		.header = {
			.size = sizeof(*dev->ack),
			.version = VMMDEV_REQUEST_VERSION,
			.type = VMMDEV_REQ_ACKNOWLEDGE_EVENTS,
			.rc = VERR_GENERAL_FAILURE,
			.requestor = VMMDEV_REQUESTOR_USR_DRV,
		},
	};
	acked = vg_req_perform(dev, dev->ack) >= 0;
	if (acked)
		events = READ_ONCE(dev->ack->events);
	dev->pending_events |= events & ~VMMDEV_EVENT_HGCM;
	spin_unlock_irqrestore(&dev->event_lock, flags);
	if (events & VMMDEV_EVENT_HGCM)
		wake_up_all(&dev->hgcm_wq);
	if (events & ~VMMDEV_EVENT_HGCM)
		wake_up_all(&dev->event_wq);
	return acked;
}
