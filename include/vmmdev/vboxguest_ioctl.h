/* SPDX-License-Identifier: GPL-2.0 OR MIT */
/*
 * The user ABI of a guest's VMMDev driver, /dev/vboxguest: what Linux's
 * in-tree vboxguest offers (its include/uapi/linux/vboxguest.h states
 * it; the numbers and layouts here are that ABI's, written from the
 * protocol, no code copied).  Vireo's own guest driver (guest/driver/)
 * offers the same, so the daemon (guest/guestd/) has one code path.
 *
 * Every ioctl's argument starts with struct vbg_ioctl_header; the driver
 * answers in the same buffer.  The ioctl's return value says whether the
 * driver could act (0 or -1 with errno); header.rc then carries the
 * VirtualBox status of what the host answered.
 */
#ifndef VIREO_VBOXGUEST_IOCTL_H
#define VIREO_VBOXGUEST_IOCTL_H

#ifdef __KERNEL__
#include <linux/ioctl.h>
#else
#include <sys/ioctl.h>
#endif

#include "vmmdev.h"

#define VBG_IOCTL_HEADER_VERSION	0x10001
#define VBG_IOCTL_HEADER_TYPE_DEFAULT	0
#define VBG_IOC_VERSION			0x00010000	/* driver interface */

struct vbg_ioctl_header {
	uint32_t size_in;	/* bytes the caller filled, header included */
	uint32_t version;	/* VBG_IOCTL_HEADER_VERSION */
	uint32_t type;		/* a VMMDev request type, or 0 */
	int32_t rc;		/* out: VirtualBox status */
	uint32_t size_out;	/* bytes the driver may write; 0: size_in */
	uint32_t reserved;
};
VMMDEV_ASSERT_SIZE(struct vbg_ioctl_header, 24);

struct vbg_ioctl_driver_version_info {
	struct vbg_ioctl_header hdr;
	union {
		struct {
			uint32_t req_version;	/* VBG_IOC_VERSION */
			uint32_t min_version;
			uint32_t reserved1, reserved2;
		} in;
		struct {
			uint32_t session_version;
			uint32_t driver_version;
			uint32_t driver_revision;
			uint32_t reserved1, reserved2;
		} out;
	} u;
};
VMMDEV_ASSERT_SIZE(struct vbg_ioctl_driver_version_info, 44);

struct vbg_ioctl_hgcm_connect {
	struct vbg_ioctl_header hdr;
	union {
		struct {
			uint32_t loc_type;	/* LOCALHOST_EXISTING */
			char service[VMMDEV_HGCM_SERVICE_NAME_SIZE];
		} in;
		struct {
			uint32_t client_id;
		} out;
	} u;
};
VMMDEV_ASSERT_SIZE(struct vbg_ioctl_hgcm_connect, 156);

struct vbg_ioctl_hgcm_disconnect {
	struct vbg_ioctl_header hdr;
	uint32_t client_id;
};
VMMDEV_ASSERT_SIZE(struct vbg_ioctl_hgcm_disconnect, 28);

/*
 * An HGCM call: followed by parm_count struct vmmdev_hgcm_parm64, whose
 * buffers are user-space addresses (VMMDEV_HGCM_PARM_LINADDR*): the
 * driver hands the host page lists of them.
 */
struct vbg_ioctl_hgcm_call {
	struct vbg_ioctl_header hdr;
	uint32_t client_id;
	uint32_t function;
	uint32_t timeout_ms;	/* 0xffffffff: no end */
	uint8_t interruptible;	/* ignored for user callers: they are */
	uint8_t reserved;
	uint16_t parm_count;
};
VMMDEV_ASSERT_SIZE(struct vbg_ioctl_hgcm_call, 40);

struct vbg_ioctl_wait_for_events {
	struct vbg_ioctl_header hdr;
	union {
		struct {
			uint32_t timeout_ms;
			uint32_t events;
		} in;
		struct {
			uint32_t events;
		} out;
	} u;
};
VMMDEV_ASSERT_SIZE(struct vbg_ioctl_wait_for_events, 32);

struct vbg_ioctl_change_filter {
	struct vbg_ioctl_header hdr;
	uint32_t or_mask;
	uint32_t not_mask;
};
VMMDEV_ASSERT_SIZE(struct vbg_ioctl_change_filter, 32);

#define VBG_IOCTL_DRIVER_VERSION_INFO \
	_IOWR('V', 0, struct vbg_ioctl_driver_version_info)
/* A VMMDev request as it is, its header the ioctl's (size_out = size). */
#define VBG_IOCTL_VMMDEV_REQUEST(s)	_IOC(_IOC_READ | _IOC_WRITE, 'V', 2, s)
#define VBG_IOCTL_HGCM_CONNECT		_IOWR('V', 4, struct vbg_ioctl_hgcm_connect)
#define VBG_IOCTL_HGCM_DISCONNECT	_IOWR('V', 5, struct vbg_ioctl_hgcm_disconnect)
#define VBG_IOCTL_HGCM_CALL_64(s)	_IOC(_IOC_READ | _IOC_WRITE, 'V', 7, s)
#define VBG_IOCTL_WAIT_FOR_EVENTS	_IOWR('V', 10, struct vbg_ioctl_wait_for_events)
#define VBG_IOCTL_INTERRUPT_ALL_WAITS	_IOWR('V', 11, struct vbg_ioctl_header)
#define VBG_IOCTL_CHANGE_FILTER_MASK	_IOWR('V', 12, struct vbg_ioctl_change_filter)

#endif /* VIREO_VBOXGUEST_IOCTL_H */
