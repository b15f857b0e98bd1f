// SPDX-License-Identifier: GPL-2.0
/*
 * /dev/vboxguest: Linux's vboxguest user ABI (include/vmmdev/
 * vboxguest_ioctl.h), so that vireo-guestd runs over either driver.  The
 * device is root's (mode 0600).  Requests passed through go to the host
 * only for the types a user of the device has any business with; HGCM
 * clients belong to the open file that connected them, and go with it.
 */
#include <linux/capability.h>
#include <linux/cred.h>
#include <linux/fs.h>
#include <linux/slab.h>
#include <linux/uaccess.h>

#include <vmmdev/vbox_status.h>
#include <vmmdev/vboxguest_ioctl.h>

#include "vg.h"

#define VG_MAX_USER_REQ		(64u << 10)

static bool header_ok(const struct vbg_ioctl_header *h, u32 in, u32 out)
{
	return h->version == VBG_IOCTL_HEADER_VERSION && h->size_in == in &&
	       (h->size_out == out || (!h->size_out && in == out));
}

static int version_info(struct vg_session *s, void __user *arg)
{
	struct vbg_ioctl_driver_version_info v;

	if (copy_from_user(&v, arg, sizeof(v)))
		return -EFAULT;
	if (!header_ok(&v.hdr, sizeof(v.hdr) + sizeof(v.u.in),
		       sizeof(v.hdr) + sizeof(v.u.out)))
		return -EINVAL;
	if ((v.u.in.min_version >> 16) != (VBG_IOC_VERSION >> 16)) {
		v.hdr.rc = VERR_VERSION_MISMATCH;
		v.u.out.session_version = U32_MAX;
	} else {
		v.hdr.rc = VINF_SUCCESS;
		v.u.out.session_version = VBG_IOC_VERSION;
	}
	v.u.out.driver_version = VBG_IOC_VERSION;
	v.u.out.driver_revision = 0;
	v.u.out.reserved1 = v.u.out.reserved2 = 0;
	return copy_to_user(arg, &v, sizeof(v)) ? -EFAULT : 0;
}

/* What user space may send as it is: queries and its own reports. */
static bool request_allowed(const struct vmmdev_header *h)
{
	const struct vmmdev_guest_status *st = (const void *)h;

	switch (h->type) {
	case VMMDEV_REQ_GET_HOST_VERSION:
	case VMMDEV_REQ_GET_HOST_TIME:
	case VMMDEV_REQ_GET_SESSION_ID:
	case VMMDEV_REQ_GET_MOUSE_STATUS:
	case VMMDEV_REQ_SET_MOUSE_STATUS:
	case VMMDEV_REQ_SET_POWER_STATUS:
	case VMMDEV_REQ_GET_DISPLAY_CHANGE2:
	case VMMDEV_REQ_GET_DISPLAY_CHANGE_EX:
	case VMMDEV_REQ_LOG_STRING:
	case VMMDEV_REQ_REPORT_GUEST_USER_STATE:
		return true;
	case VMMDEV_REQ_REPORT_GUEST_STATUS:
		/* The driver's own facility is the driver's to report. */
		return h->size >= sizeof(*st) &&
		       st->facility != VMMDEV_FACILITY_DRIVER &&
		       st->facility != VMMDEV_FACILITY_ALL;
	default:
		return false;
	}
}

static int vmmdev_request(struct vg_session *s, void __user *arg, u32 size)
{
	struct vmmdev_header *req;
	int ret = 0;

	if (size < sizeof(*req) || size > VG_MAX_USER_REQ)
		return -EINVAL;
	req = vg_req_alloc(size, 0);
	if (!req)
		return -ENOMEM;
	if (copy_from_user(req, arg, size)) {
		ret = -EFAULT;
		goto out;
	}
	/* The header doubles as the ioctl's: size_out in "reserved". */
	if (req->size != size || req->version != VMMDEV_REQUEST_VERSION ||
	    (req->reserved && req->reserved != size)) {
		ret = -EINVAL;
		goto out;
	}
	/* Powering the VM off is shutting the machine down. */
	if (!request_allowed(req) ||
	    (req->type == VMMDEV_REQ_SET_POWER_STATUS &&
	     !capable(CAP_SYS_BOOT))) {
		ret = -EPERM;
		goto out;
	}
	req->requestor = VMMDEV_REQUESTOR_USERMODE |
			 (uid_eq(current_euid(), GLOBAL_ROOT_UID) ?
			  VMMDEV_REQUESTOR_USR_ROOT :
			  VMMDEV_REQUESTOR_USR_USER);
	vg_req_perform(s->dev, req);
	req->reserved = size;
	if (copy_to_user(arg, req, size))
		ret = -EFAULT;
out:
	vg_req_free(req, size);
	return ret;
}

static int session_client(struct vg_session *s, u32 id, u32 set)
{
	int i;

	for (i = 0; i < VG_MAX_SESSION_CLIENTS; i++)
		if (s->clients[i] == id) {
			s->clients[i] = set;
			return 0;
		}
	return -ENOENT;
}

static int hgcm_connect(struct vg_session *s, void __user *arg)
{
	struct vbg_ioctl_hgcm_connect c;
	u32 id = 0;
	int ret, rc = VERR_GENERAL_FAILURE;

	if (copy_from_user(&c, arg, sizeof(c)))
		return -EFAULT;
	if (!header_ok(&c.hdr, sizeof(c.hdr) + sizeof(c.u.in),
		       sizeof(c.hdr) + sizeof(c.u.out)))
		return -EINVAL;
	c.u.in.service[sizeof(c.u.in.service) - 1] = '\0';
	mutex_lock(&s->dev->session_lock);
	ret = session_client(s, 0, U32_MAX);	/* a slot, reserved */
	mutex_unlock(&s->dev->session_lock);
	if (ret)
		return -EMFILE;
	ret = vg_hgcm_connect(s->dev, c.u.in.service, &id, &rc);
	mutex_lock(&s->dev->session_lock);
	session_client(s, U32_MAX, !ret && rc >= 0 ? id : 0);
	mutex_unlock(&s->dev->session_lock);
	if (ret)
		return ret;
	c.hdr.rc = rc;
	c.u.out.client_id = id;
	return copy_to_user(arg, &c, sizeof(c)) ? -EFAULT : 0;
}

static int hgcm_disconnect(struct vg_session *s, void __user *arg)
{
	struct vbg_ioctl_hgcm_disconnect d;
	int ret, rc = VERR_GENERAL_FAILURE;

	if (copy_from_user(&d, arg, sizeof(d)))
		return -EFAULT;
	if (!header_ok(&d.hdr, sizeof(d), sizeof(d.hdr)) || !d.client_id ||
	    d.client_id == U32_MAX)
		return -EINVAL;
	mutex_lock(&s->dev->session_lock);
	ret = session_client(s, d.client_id, U32_MAX);	/* in progress */
	mutex_unlock(&s->dev->session_lock);
	if (ret)
		return -EINVAL;
	ret = vg_hgcm_disconnect(s->dev, d.client_id, &rc);
	/* Not disconnected: still the session's, to go with it. */
	mutex_lock(&s->dev->session_lock);
	session_client(s, U32_MAX, ret || rc < 0 ? d.client_id : 0);
	mutex_unlock(&s->dev->session_lock);
	if (ret)
		return ret;
	d.hdr.rc = rc;
	return copy_to_user(arg, &d, sizeof(d.hdr)) ? -EFAULT : 0;
}

static int hgcm_call(struct vg_session *s, void __user *arg, u32 size)
{
	struct vbg_ioctl_hgcm_call *c;
	struct vmmdev_hgcm_parm64 *parms;
	int ret, rc = VERR_GENERAL_FAILURE;
	bool mine;

	if (size < sizeof(*c) ||
	    size > sizeof(*c) + VMMDEV_HGCM_MAX_PARMS * sizeof(*parms))
		return -EINVAL;
	c = memdup_user(arg, size);
	if (IS_ERR(c))
		return PTR_ERR(c);
	parms = (void *)(c + 1);
	ret = -EINVAL;
	if (!header_ok(&c->hdr, size, size) ||
	    size != sizeof(*c) + c->parm_count * sizeof(*parms))
		goto out;
	mutex_lock(&s->dev->session_lock);
	mine = c->client_id && c->client_id != U32_MAX &&
	       !session_client(s, c->client_id, c->client_id);
	mutex_unlock(&s->dev->session_lock);
	if (!mine)
		goto out;
	ret = vg_hgcm_call_user(s->dev, c->client_id, c->function,
				c->timeout_ms, parms, c->parm_count, &rc);
	if (ret == -E2BIG) {
		rc = VERR_OUT_OF_RANGE;
		ret = 0;
	}
	if (ret)
		goto out;
	c->hdr.rc = rc;
	ret = copy_to_user(arg, c, size) ? -EFAULT : 0;
out:
	kfree(c);
	return ret;
}

static int wait_for_events(struct vg_session *s, void __user *arg)
{
	struct vbg_ioctl_wait_for_events w;
	struct vg_dev *dev = s->dev;
	unsigned long flags;
	long left;
	u32 mask, got = 0;

	if (copy_from_user(&w, arg, sizeof(w)))
		return -EFAULT;
	if (!header_ok(&w.hdr, sizeof(w.hdr) + sizeof(w.u.in),
		       sizeof(w.hdr) + sizeof(w.u.out)))
		return -EINVAL;
	mask = w.u.in.events;
	left = w.u.in.timeout_ms == U32_MAX ? MAX_SCHEDULE_TIMEOUT :
	       msecs_to_jiffies(w.u.in.timeout_ms);
	left = wait_event_interruptible_timeout(dev->event_wq,
			READ_ONCE(dev->pending_events) & mask ||
			READ_ONCE(s->interrupted) || READ_ONCE(dev->gone),
			left);
	spin_lock_irqsave(&dev->event_lock, flags);
	got = dev->pending_events & mask;
	dev->pending_events &= ~got;
	spin_unlock_irqrestore(&dev->event_lock, flags);
	if (!got)
		return left < 0 || READ_ONCE(s->interrupted) ? -EINTR :
		       -ETIMEDOUT;
	w.hdr.rc = VINF_SUCCESS;
	w.u.out.events = got;
	return copy_to_user(arg, &w, sizeof(w)) ? -EFAULT : 0;
}

/*
 * The events the host may raise: what every open file asked for, added
 * up (a file's mask is not taken back when it closes: the driver only
 * wakes a file for the events it waits for).
 */
static int change_filter(struct vg_session *s, void __user *arg)
{
	struct vbg_ioctl_change_filter c;
	struct vg_dev *dev = s->dev;
	int rc;

	if (copy_from_user(&c, arg, sizeof(c)))
		return -EFAULT;
	if (!header_ok(&c.hdr, sizeof(c), sizeof(c.hdr)) ||
	    (c.or_mask | c.not_mask) & ~VMMDEV_EVENT_VALID_MASK)
		return -EINVAL;
	mutex_lock(&dev->session_lock);
	dev->user_events = (dev->user_events | c.or_mask) & ~c.not_mask;
	rc = vg_set_filter(dev, dev->user_events, ~dev->user_events);
	mutex_unlock(&dev->session_lock);
	c.hdr.rc = rc;
	return copy_to_user(arg, &c, sizeof(c.hdr)) ? -EFAULT : 0;
}

static int interrupt_waits(struct vg_session *s)
{
	WRITE_ONCE(s->interrupted, true);
	wake_up_all(&s->dev->event_wq);
	return 0;
}

static long vg_dispatch(struct vg_session *s, unsigned int cmd,
			void __user *p)
{
	u32 size = _IOC_SIZE(cmd);

	switch (_IOC_NR(cmd)) {
	case _IOC_NR(VBG_IOCTL_DRIVER_VERSION_INFO):
		return cmd == VBG_IOCTL_DRIVER_VERSION_INFO ?
		       version_info(s, p) : -ENOTTY;
	case _IOC_NR(VBG_IOCTL_VMMDEV_REQUEST(0)):
		return vmmdev_request(s, p, size);
	case _IOC_NR(VBG_IOCTL_HGCM_CONNECT):
		return cmd == VBG_IOCTL_HGCM_CONNECT ? hgcm_connect(s, p) :
		       -ENOTTY;
	case _IOC_NR(VBG_IOCTL_HGCM_DISCONNECT):
		return cmd == VBG_IOCTL_HGCM_DISCONNECT ?
		       hgcm_disconnect(s, p) : -ENOTTY;
	case _IOC_NR(VBG_IOCTL_HGCM_CALL_64(0)):
		return hgcm_call(s, p, size);
	case _IOC_NR(VBG_IOCTL_WAIT_FOR_EVENTS):
		return cmd == VBG_IOCTL_WAIT_FOR_EVENTS ?
		       wait_for_events(s, p) : -ENOTTY;
	case _IOC_NR(VBG_IOCTL_INTERRUPT_ALL_WAITS):
		return interrupt_waits(s);
	case _IOC_NR(VBG_IOCTL_CHANGE_FILTER_MASK):
		return cmd == VBG_IOCTL_CHANGE_FILTER_MASK ?
		       change_filter(s, p) : -ENOTTY;
	default:
		return -ENOTTY;
	}
}

/* Every ioctl within io_lock's read side: an unbind waits it out. */
static long vg_ioctl(struct file *f, unsigned int cmd, unsigned long arg)
{
	struct vg_session *s = f->private_data;
	long ret;

	if (_IOC_TYPE(cmd) != 'V')
		return -ENOTTY;
	down_read(&s->dev->io_lock);
	ret = READ_ONCE(s->dev->gone) ? -ENODEV :
	      vg_dispatch(s, cmd, (void __user *)arg);
	up_read(&s->dev->io_lock);
	return ret;
}

static int vg_open(struct inode *inode, struct file *f)
{
	struct vg_dev *dev = container_of(f->private_data, struct vg_dev,
					  misc);
	struct vg_session *s = kzalloc(sizeof(*s), GFP_KERNEL);

	if (!s)
		return -ENOMEM;
	kref_get(&dev->ref);
	s->dev = dev;
	f->private_data = s;
	return 0;
}

/* Its HGCM clients go with the file (a gone device took them along). */
static int vg_release(struct inode *inode, struct file *f)
{
	struct vg_session *s = f->private_data;
	struct vg_dev *dev = s->dev;
	int i, rc;

	down_read(&dev->io_lock);
	for (i = 0; i < VG_MAX_SESSION_CLIENTS && !READ_ONCE(dev->gone); i++)
		if (s->clients[i] && s->clients[i] != U32_MAX)
			vg_hgcm_disconnect(dev, s->clients[i], &rc);
	up_read(&dev->io_lock);
	kfree(s);
	vg_dev_put(dev);
	return 0;
}

static const struct file_operations vg_fops = {
	.owner = THIS_MODULE,
	.open = vg_open,
	.release = vg_release,
	.unlocked_ioctl = vg_ioctl,
	.compat_ioctl = compat_ptr_ioctl,
};

int vg_misc_register(struct vg_dev *dev)
{
	dev->misc = (struct miscdevice) {
		.minor = MISC_DYNAMIC_MINOR,
		.name = "vboxguest",
		.fops = &vg_fops,
		.mode = 0600,
	};
	return misc_register(&dev->misc);
}

void vg_misc_deregister(struct vg_dev *dev)
{
	misc_deregister(&dev->misc);
}
