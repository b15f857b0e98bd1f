/* SPDX-License-Identifier: GPL-2.0 */
/*
 * vireo-guestd's way to the host: a guest driver's /dev/vboxguest (Linux's
 * own vboxguest, or Vireo's guest/driver/, which speak the same ABI).
 * Each call answers a VirtualBox status (vbox_status.h); a driver that
 * refuses the ioctl itself gives VERR_ACCESS_DENIED, VERR_INTERRUPTED,
 * VERR_TIMEOUT or VERR_GENERAL_FAILURE, after its errno.
 */
#ifndef VIREO_GUESTD_VBG_H
#define VIREO_GUESTD_VBG_H

#include <stdbool.h>
#include <stdint.h>

#include <vmmdev/vmmdev.h>

#define VBG_DEVICE	"/dev/vboxguest"

/* An HGCM parameter as the caller gives it. */
struct vbg_parm {
	enum { VBG_U32, VBG_U64, VBG_BUF_IN, VBG_BUF_OUT, VBG_BUF_INOUT } kind;
	uint32_t u32;
	uint64_t u64;
	void *buf;
	uint32_t size;
};

/* The device's fd, or -1 with errno (and why on stderr). */
int vbg_open(const char *path);
/* A VMMDev request (header filled by the caller but for size, version). */
int vbg_request(int fd, void *req, uint32_t size, uint32_t type);
int vbg_connect(int fd, const char *service, uint32_t *client_id);
int vbg_disconnect(int fd, uint32_t client_id);
/*
 * A call: the host's status (header rc, else the call's result); numbers
 * and buffers written back into parm[].  timeout_ms 0xffffffff: none.
 */
int vbg_call(int fd, uint32_t client_id, uint32_t function,
	     uint32_t timeout_ms, struct vbg_parm *parm, unsigned int n);

/* Wrappers of single requests. */
int vbg_host_time(int fd, uint64_t *ms);
int vbg_session_id(int fd, uint64_t *id);
int vbg_report_status(int fd, uint32_t facility, uint32_t status);

#endif /* VIREO_GUESTD_VBG_H */
