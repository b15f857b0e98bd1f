/* SPDX-License-Identifier: GPL-2.0 OR MIT */
/*
 * VirtualBox status codes, the ones VMMDev and its services answer with
 * (the public values of Linux's include/uapi/linux/vbox_err.h and
 * VirtualBox's iprt/err.h).  Negative: an error (VERR_); positive: success
 * with something to say (VINF_, VWRN_).  userspace/vmmdev/vmmdev_status.c
 * converts between them and errno, in one place.
 */
#ifndef VIREO_VBOX_STATUS_H
#define VIREO_VBOX_STATUS_H

#define VINF_SUCCESS			0
#define VERR_GENERAL_FAILURE		(-1)
#define VERR_INVALID_PARAMETER		(-2)
#define VERR_INVALID_MAGIC		(-3)
#define VERR_INVALID_HANDLE		(-4)
#define VERR_INVALID_POINTER		(-6)
#define VERR_NO_MEMORY			(-8)
#define VERR_PERMISSION_DENIED		(-10)
#define VINF_PERMISSION_DENIED		10
#define VERR_VERSION_MISMATCH		(-11)
#define VERR_NOT_IMPLEMENTED		(-12)
#define VERR_INVALID_FLAGS		(-13)
#define VERR_WRONG_ORDER		(-22)
#define VERR_INVALID_FUNCTION		(-36)
#define VERR_NOT_SUPPORTED		(-37)
#define VERR_ACCESS_DENIED		(-38)
#define VERR_INTERRUPTED		(-39)
#define VERR_TIMEOUT			(-40)
#define VERR_BUFFER_OVERFLOW		(-41)
#define VERR_TOO_MUCH_DATA		(-42)
#define VERR_TRY_AGAIN			(-52)
#define VERR_PARSE_ERROR		(-53)
#define VERR_OUT_OF_RANGE		(-54)
#define VERR_CANCELLED			(-70)
#define VERR_NOT_FOUND			(-78)
#define VWRN_NOT_FOUND			78
#define VERR_INVALID_STATE		(-79)
#define VERR_OUT_OF_RESOURCES		(-80)
#define VERR_INVALID_NAME		(-104)
#define VERR_ALREADY_EXISTS		(-105)
#define VERR_INTERNAL_ERROR		(-225)
#define VERR_SEM_DESTROYED		(-363)
#define VERR_HGCM_SERVICE_NOT_FOUND	(-2900)
#define VINF_HGCM_ASYNC_EXECUTE		2903
#define VERR_HGCM_INVALID_CLIENT_ID	(-2905)
#define VERR_HGCM_TOO_MANY_CLIENTS	(-2908)
#define VERR_HGCM_TOO_MANY_CLIENT_CALLS	(-2909)

#endif /* VIREO_VBOX_STATUS_H */
