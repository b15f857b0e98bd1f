// SPDX-License-Identifier: GPL-2.0
/*
 * /dev/vboxguest's ioctls (include/vmmdev/vboxguest_ioctl.h).
 */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <vmmdev/vbox_status.h>
#include <vmmdev/vboxguest_ioctl.h>

#include "vbg.h"

static int errno_status(int err)
{
	switch (err) {
	case EPERM:
	case EACCES:
		return VERR_ACCESS_DENIED;
	case EINTR:
		return VERR_INTERRUPTED;
	case ETIMEDOUT:
		return VERR_TIMEOUT;
	case EINVAL:
		return VERR_INVALID_PARAMETER;
	case ENOMEM:
		return VERR_NO_MEMORY;
	default:
		return VERR_GENERAL_FAILURE;
	}
}

static void header(struct vbg_ioctl_header *h, uint32_t size_in,
		   uint32_t size_out, uint32_t type)
{
	h->size_in = size_in;
	h->version = VBG_IOCTL_HEADER_VERSION;
	h->type = type;
	h->rc = VERR_INTERNAL_ERROR;
	h->size_out = size_out;
	h->reserved = 0;
}

int vbg_open(const char *path)
{
	struct vbg_ioctl_driver_version_info v;
	int fd = open(path, O_RDWR | O_CLOEXEC);

	if (fd < 0) {
		fprintf(stderr, "vireo-guestd: %s: %m (is a VMMDev driver loaded: vboxguest?)\n",
			path);
		return -1;
	}
	memset(&v, 0, sizeof(v));
	header(&v.hdr, sizeof(v.hdr) + sizeof(v.u.in),
	       sizeof(v.hdr) + sizeof(v.u.out), 0);
	v.u.in.req_version = VBG_IOC_VERSION;
	v.u.in.min_version = VBG_IOC_VERSION & 0xffff0000;
	if (ioctl(fd, VBG_IOCTL_DRIVER_VERSION_INFO, &v) || v.hdr.rc < 0) {
		fprintf(stderr, "vireo-guestd: %s speaks another interface (%#x)\n",
			path, v.u.out.driver_version);
		close(fd);
		errno = EPROTO;
		return -1;
	}
	return fd;
}

int vbg_request(int fd, void *req, uint32_t size, uint32_t type)
{
	struct vmmdev_header *h = req;

	h->size = size;
	h->version = VMMDEV_REQUEST_VERSION;
	h->type = type;
	h->rc = VERR_INTERNAL_ERROR;
	h->reserved = size;	/* the ioctl's size_out */
	h->requestor = 0;
	if (ioctl(fd, VBG_IOCTL_VMMDEV_REQUEST(size), req))
		return errno_status(errno);
	return h->rc;
}

int vbg_connect(int fd, const char *service, uint32_t *client_id)
{
	struct vbg_ioctl_hgcm_connect c;

	memset(&c, 0, sizeof(c));
	header(&c.hdr, sizeof(c.hdr) + sizeof(c.u.in),
	       sizeof(c.hdr) + sizeof(c.u.out), 0);
	c.u.in.loc_type = VMMDEV_HGCM_LOC_LOCALHOST_EXISTING;
	snprintf(c.u.in.service, sizeof(c.u.in.service), "%s", service);
	if (ioctl(fd, VBG_IOCTL_HGCM_CONNECT, &c))
		return errno_status(errno);
	if (c.hdr.rc >= 0)
		*client_id = c.u.out.client_id;
	return c.hdr.rc;
}

int vbg_disconnect(int fd, uint32_t client_id)
{
	struct vbg_ioctl_hgcm_disconnect d;

	memset(&d, 0, sizeof(d));
	header(&d.hdr, sizeof(d), sizeof(d.hdr), 0);
	d.client_id = client_id;
	if (ioctl(fd, VBG_IOCTL_HGCM_DISCONNECT, &d))
		return errno_status(errno);
	return d.hdr.rc;
}

static void parm_in(struct vmmdev_hgcm_parm64 *p, const struct vbg_parm *v)
{
	memset(p, 0, sizeof(*p));
	switch (v->kind) {
	case VBG_U32:
		p->type = VMMDEV_HGCM_PARM_32BIT;
		p->u.value32 = v->u32;
		return;
	case VBG_U64:
		p->type = VMMDEV_HGCM_PARM_64BIT;
		p->u.value64 = v->u64;
		return;
	case VBG_BUF_IN:
		p->type = VMMDEV_HGCM_PARM_LINADDR_IN;
		break;
	case VBG_BUF_OUT:
		p->type = VMMDEV_HGCM_PARM_LINADDR_OUT;
		break;
	case VBG_BUF_INOUT:
		p->type = VMMDEV_HGCM_PARM_LINADDR;
		break;
	}
	p->u.pointer.size = v->size;
	p->u.pointer.addr = (uintptr_t)v->buf;
}

int vbg_call(int fd, uint32_t client_id, uint32_t function,
	     uint32_t timeout_ms, struct vbg_parm *parm, unsigned int n)
{
	struct {
		struct vbg_ioctl_hgcm_call call;
		struct vmmdev_hgcm_parm64 p[VMMDEV_HGCM_MAX_PARMS];
	} c;
	uint32_t size = sizeof(c.call) + n * sizeof(c.p[0]);
	unsigned int i;

	if (n > VMMDEV_HGCM_MAX_PARMS)
		return VERR_INVALID_PARAMETER;
	memset(&c.call, 0, sizeof(c.call));
	header(&c.call.hdr, size, size, 0);
	c.call.client_id = client_id;
	c.call.function = function;
	c.call.timeout_ms = timeout_ms;
	c.call.interruptible = 1;
	c.call.parm_count = n;
	for (i = 0; i < n; i++)
		parm_in(&c.p[i], &parm[i]);
	if (ioctl(fd, VBG_IOCTL_HGCM_CALL_64(size), &c))
		return errno_status(errno);
	for (i = 0; i < n; i++) {
		if (parm[i].kind == VBG_U32)
			parm[i].u32 = c.p[i].u.value32;
		else if (parm[i].kind == VBG_U64)
			parm[i].u64 = c.p[i].u.value64;
	}
	return c.call.hdr.rc;
}

int vbg_host_time(int fd, uint64_t *ms)
{
	struct vmmdev_host_time t;
	int rc = vbg_request(fd, &t, sizeof(t), VMMDEV_REQ_GET_HOST_TIME);

	if (rc >= 0)
		*ms = t.time_ms;
	return rc;
}

int vbg_session_id(int fd, uint64_t *id)
{
	struct vmmdev_session_id s;
	int rc = vbg_request(fd, &s, sizeof(s), VMMDEV_REQ_GET_SESSION_ID);

	if (rc >= 0)
		*id = s.session_id;
	return rc;
}

int vbg_report_status(int fd, uint32_t facility, uint32_t status)
{
	struct vmmdev_guest_status s;

	memset(&s, 0, sizeof(s));
	s.facility = facility;
	s.status = status;
	return vbg_request(fd, &s, sizeof(s), VMMDEV_REQ_REPORT_GUEST_STATUS);
}
