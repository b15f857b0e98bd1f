// SPDX-License-Identifier: GPL-2.0
/*
 * HGCM for user space: connect, disconnect, and calls whose buffers are
 * user memory.  Each buffer is bounced through a kernel allocation and
 * handed to the host as a page list (type PAGELIST, after the parameters
 * in the request), as Linux's vboxguest does; the host is told only the
 * pages of that allocation.  A call the host keeps (VINF_HGCM_ASYNC_
 * EXECUTE) is waited for until its DONE flag, the HGCM event waking the
 * wait; on a timeout or a signal it is cancelled (HGCMCancel2), and its
 * request is leaked only if the host neither cancels nor finishes it.
 */
#include <linux/mm.h>
#include <linux/sched/signal.h>
#include <linux/slab.h>
#include <linux/uaccess.h>
#include <linux/vmalloc.h>

#include <vmmdev/vbox_status.h>

#include "vg.h"

#define VG_MAX_BUF		(1u << 20)	/* per parameter */
#define VG_MAX_CALL_REQ		(256u << 10)	/* the whole request */

static bool done(struct vmmdev_hgcm_header *h)
{
	return READ_ONCE(h->flags) & VMMDEV_HGCM_REQ_DONE;
}

/*
 * Perform an HGCM request and wait for it: 0 when the host answered, or
 * -ETIMEDOUT/-EINTR/-ENODEV (the call cancelled, or the device gone),
 * with *leak set when the host may still write the request, which must
 * then never be freed.  Connect and disconnect wait without signals: a
 * client the host made and the guest forgot would be lost for good.
 */
static int hgcm_wait(struct vg_dev *dev, struct vmmdev_hgcm_header *h,
		     u32 timeout_ms, bool interruptible, bool *leak)
{
	struct vmmdev_hgcm_cancel2 *c;
	long left = timeout_ms == U32_MAX ? MAX_SCHEDULE_TIMEOUT :
		    msecs_to_jiffies(timeout_ms);
	int rc = vg_req_perform(dev, h), ret;

	*leak = false;
	if (rc != VINF_HGCM_ASYNC_EXECUTE) {
		if (rc < 0)
			h->result = rc;
		return 0;
	}
	if (interruptible)
		left = wait_event_interruptible_timeout(dev->hgcm_wq,
				done(h) || READ_ONCE(dev->gone), left);
	else
		left = wait_event_timeout(dev->hgcm_wq,
				done(h) || READ_ONCE(dev->gone), left);
	if (done(h))
		return 0;
	ret = READ_ONCE(dev->gone) ? -ENODEV : left ? -EINTR : -ETIMEDOUT;
	c = vg_req_alloc(sizeof(*c), VMMDEV_REQ_HGCM_CANCEL2);
	if (c) {
		c->phys_req = virt_to_phys(h);
		rc = vg_req_perform(dev, c);
		vg_req_free(c, sizeof(*c));
		if (rc >= 0)
			return ret;
	}
	/* Lost the race with the host's answer: let it come. */
	if (wait_event_timeout(dev->hgcm_wq, done(h), 2 * HZ))
		return 0;
	dev_err(&dev->pdev->dev, "an HGCM call neither cancelled nor done: leaked\n");
	*leak = true;
	return ret;
}

int vg_hgcm_connect(struct vg_dev *dev, const char *service, u32 *client_id,
		    int *vbox_rc)
{
	struct vmmdev_hgcm_connect *r = vg_req_alloc(sizeof(*r),
						     VMMDEV_REQ_HGCM_CONNECT);
	bool leak;
	int ret;

	if (!r)
		return -ENOMEM;
	r->loc_type = VMMDEV_HGCM_LOC_LOCALHOST_EXISTING;
	strscpy(r->service, service, sizeof(r->service));
	ret = hgcm_wait(dev, &r->hdr, U32_MAX, false, &leak);
	*vbox_rc = r->hdr.result;
	if (!ret && r->hdr.result >= 0)
		*client_id = r->client_id;
	if (!leak)
		vg_req_free(r, sizeof(*r));
	return ret;
}

int vg_hgcm_disconnect(struct vg_dev *dev, u32 client_id, int *vbox_rc)
{
	struct vmmdev_hgcm_disconnect *r;
	bool leak;
	int ret;

	r = vg_req_alloc(sizeof(*r), VMMDEV_REQ_HGCM_DISCONNECT);
	if (!r)
		return -ENOMEM;
	r->client_id = client_id;
	ret = hgcm_wait(dev, &r->hdr, U32_MAX, false, &leak);
	*vbox_rc = r->hdr.result;
	if (!leak)
		vg_req_free(r, sizeof(*r));
	return ret;
}

struct bounce {
	void *buf;		/* kvmalloc'd, or NULL for an empty one */
	u32 size;
	void __user *user;
	u32 dir;		/* VMMDEV_HGCM_F_* */
};

static u32 linaddr_dir(u32 type)
{
	switch (type) {
	case VMMDEV_HGCM_PARM_LINADDR_IN:
		return VMMDEV_HGCM_F_TO_HOST;
	case VMMDEV_HGCM_PARM_LINADDR_OUT:
		return VMMDEV_HGCM_F_FROM_HOST;
	default:
		return VMMDEV_HGCM_F_BOTH;
	}
}

static phys_addr_t page_of(void *p)
{
	return is_vmalloc_addr(p) ? page_to_phys(vmalloc_to_page(p)) :
				    virt_to_phys(p) & PAGE_MASK;
}

/* The user's buffers, bounced in; the request's size in *req_size. */
static int bounce_in(struct vmmdev_hgcm_parm64 *parms, u32 count,
		     struct bounce *b, u32 *req_size)
{
	u32 i, size = sizeof(struct vmmdev_hgcm_call) + count * sizeof(*parms);

	for (i = 0; i < count; i++) {
		struct vmmdev_hgcm_parm64 *p = &parms[i];
		u32 pages;

		if (p->type == VMMDEV_HGCM_PARM_32BIT ||
		    p->type == VMMDEV_HGCM_PARM_64BIT)
			continue;
		if (p->type != VMMDEV_HGCM_PARM_LINADDR &&
		    p->type != VMMDEV_HGCM_PARM_LINADDR_IN &&
		    p->type != VMMDEV_HGCM_PARM_LINADDR_OUT)
			return -EINVAL;
		if (p->u.pointer.size > VG_MAX_BUF)
			return -E2BIG;
		b[i].size = p->u.pointer.size;
		b[i].user = u64_to_user_ptr(p->u.pointer.addr);
		b[i].dir = linaddr_dir(p->type);
		if (!b[i].size)
			continue;
		b[i].buf = kvzalloc(b[i].size, GFP_KERNEL);
		if (!b[i].buf)
			return -ENOMEM;
		if ((b[i].dir & VMMDEV_HGCM_F_TO_HOST) &&
		    copy_from_user(b[i].buf, b[i].user, b[i].size))
			return -EFAULT;
		pages = DIV_ROUND_UP(offset_in_page(b[i].buf) + b[i].size,
				     PAGE_SIZE);
		size += sizeof(struct vmmdev_hgcm_page_list) + 8 * pages;
		if (size > VG_MAX_CALL_REQ)
			return -E2BIG;
	}
	*req_size = size;
	return 0;
}

/* The parameters, on the wire: buffers as page lists after them. */
static void build_parms(struct vmmdev_hgcm_call *call,
			const struct vmmdev_hgcm_parm64 *parms, u32 count,
			const struct bounce *b)
{
	struct vmmdev_hgcm_parm64 *out = (void *)(call + 1);
	u32 i, k, at = sizeof(*call) + count * sizeof(*out);

	for (i = 0; i < count; i++) {
		struct vmmdev_hgcm_page_list *pl;
		u32 pages;

		out[i] = parms[i];
		if (parms[i].type == VMMDEV_HGCM_PARM_32BIT ||
		    parms[i].type == VMMDEV_HGCM_PARM_64BIT)
			continue;
		/* An empty buffer names no memory: no user address to the host. */
		if (!b[i].buf) {
			out[i].u.pointer.addr = 0;
			continue;
		}
		pl = (void *)((u8 *)call + at);
		pages = DIV_ROUND_UP(offset_in_page(b[i].buf) + b[i].size,
				     PAGE_SIZE);
		pl->flags = b[i].dir;
		pl->first_offset = offset_in_page(b[i].buf);
		pl->page_count = pages;
		for (k = 0; k < pages; k++)
			pl->pages[k] = page_of((u8 *)b[i].buf - pl->first_offset +
					       k * PAGE_SIZE);
		out[i].type = VMMDEV_HGCM_PARM_PAGELIST;
		out[i].u.page_list.size = b[i].size;
		out[i].u.page_list.offset = at;
		at += sizeof(*pl) + 8 * pages;
	}
}

/* Numbers and the host's output back to the caller. */
static int copy_out(const struct vmmdev_hgcm_call *call,
		    struct vmmdev_hgcm_parm64 *parms, u32 count,
		    const struct bounce *b)
{
	const struct vmmdev_hgcm_parm64 *in = (const void *)(call + 1);
	u32 i;

	for (i = 0; i < count; i++) {
		if (parms[i].type == VMMDEV_HGCM_PARM_32BIT ||
		    parms[i].type == VMMDEV_HGCM_PARM_64BIT) {
			parms[i].u = in[i].u;
			continue;
		}
		if (b[i].buf && (b[i].dir & VMMDEV_HGCM_F_FROM_HOST) &&
		    copy_to_user(b[i].user, b[i].buf, b[i].size))
			return -EFAULT;
	}
	return 0;
}

int vg_hgcm_call_user(struct vg_dev *dev, u32 client_id, u32 function,
		      u32 timeout_ms, struct vmmdev_hgcm_parm64 *parms,
		      u32 count, int *vbox_rc)
{
	struct vmmdev_hgcm_call *call = NULL;
	struct bounce *b;
	u32 size = 0, i;
	bool leak = false;
	int ret;

	BUILD_BUG_ON(PAGE_SIZE != VMMDEV_HGCM_PAGE_SIZE);
	if (count > VMMDEV_HGCM_MAX_PARMS)
		return -E2BIG;
	b = kcalloc(VMMDEV_HGCM_MAX_PARMS, sizeof(*b), GFP_KERNEL);
	if (!b)
		return -ENOMEM;
	ret = bounce_in(parms, count, b, &size);
	if (!ret) {
		call = vg_req_alloc(size, VMMDEV_REQ_HGCM_CALL64);
		ret = call ? 0 : -ENOMEM;
	}
	if (!ret) {
		call->client_id = client_id;
		call->function = function;
		call->parm_count = count;
		build_parms(call, parms, count, b);
		ret = hgcm_wait(dev, &call->hdr, timeout_ms, true, &leak);
	}
	if (!ret) {
		*vbox_rc = call->hdr.result;
		ret = copy_out(call, parms, count, b);
	}
	/* A leaked request keeps its pages, which the host may write. */
	for (i = 0; i < count && !leak; i++)
		kvfree(b[i].buf);
	kfree(b);
	if (call && !leak)
		vg_req_free(call, size);
	return ret;
}
