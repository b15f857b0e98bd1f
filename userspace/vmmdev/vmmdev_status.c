// SPDX-License-Identifier: GPL-2.0
/*
 * VirtualBox status codes and errno: two worlds that meet only here.  The
 * host API (vmmdev_host.c) speaks errno to the control socket; the guest
 * hears VirtualBox codes (vbox_status.h).  The pairs follow Linux's
 * vboxguest, which converts the other way for its callers.
 */
#include <errno.h>
#include <stddef.h>

#include <vmmdev/vbox_status.h>

#include "util.h"
#include "vmmdev_dev.h"

static const struct {
	int rc;
	int err;
	const char *name;
} statuses[] = {
	{ VINF_SUCCESS, 0, "VINF_SUCCESS" },
	{ VERR_GENERAL_FAILURE, EIO, "VERR_GENERAL_FAILURE" },
	{ VERR_INVALID_PARAMETER, EINVAL, "VERR_INVALID_PARAMETER" },
	{ VERR_INVALID_POINTER, EFAULT, "VERR_INVALID_POINTER" },
	{ VERR_NO_MEMORY, ENOMEM, "VERR_NO_MEMORY" },
	{ VERR_PERMISSION_DENIED, EPERM, "VERR_PERMISSION_DENIED" },
	{ VERR_VERSION_MISMATCH, EPROTO, "VERR_VERSION_MISMATCH" },
	{ VERR_NOT_IMPLEMENTED, EOPNOTSUPP, "VERR_NOT_IMPLEMENTED" },
	{ VERR_INVALID_FLAGS, EINVAL, "VERR_INVALID_FLAGS" },
	{ VERR_INVALID_FUNCTION, ENOTTY, "VERR_INVALID_FUNCTION" },
	{ VERR_NOT_SUPPORTED, EOPNOTSUPP, "VERR_NOT_SUPPORTED" },
	{ VERR_ACCESS_DENIED, EACCES, "VERR_ACCESS_DENIED" },
	{ VERR_INTERRUPTED, EINTR, "VERR_INTERRUPTED" },
	{ VERR_TIMEOUT, ETIMEDOUT, "VERR_TIMEOUT" },
	{ VERR_BUFFER_OVERFLOW, ENOBUFS, "VERR_BUFFER_OVERFLOW" },
	{ VERR_TOO_MUCH_DATA, E2BIG, "VERR_TOO_MUCH_DATA" },
	{ VERR_TRY_AGAIN, EAGAIN, "VERR_TRY_AGAIN" },
	{ VERR_PARSE_ERROR, EINVAL, "VERR_PARSE_ERROR" },
	{ VERR_OUT_OF_RANGE, ERANGE, "VERR_OUT_OF_RANGE" },
	{ VERR_CANCELLED, ECANCELED, "VERR_CANCELLED" },
	{ VERR_NOT_FOUND, ENOENT, "VERR_NOT_FOUND" },
	{ VERR_INVALID_STATE, EBUSY, "VERR_INVALID_STATE" },
	{ VERR_OUT_OF_RESOURCES, ENOSPC, "VERR_OUT_OF_RESOURCES" },
	{ VERR_INVALID_NAME, EINVAL, "VERR_INVALID_NAME" },
	{ VERR_ALREADY_EXISTS, EEXIST, "VERR_ALREADY_EXISTS" },
	{ VERR_INTERNAL_ERROR, EIO, "VERR_INTERNAL_ERROR" },
	{ VERR_HGCM_SERVICE_NOT_FOUND, ENOENT, "VERR_HGCM_SERVICE_NOT_FOUND" },
	{ VERR_HGCM_INVALID_CLIENT_ID, EINVAL, "VERR_HGCM_INVALID_CLIENT_ID" },
	{ VERR_HGCM_TOO_MANY_CLIENTS, EMFILE, "VERR_HGCM_TOO_MANY_CLIENTS" },
	{ VERR_HGCM_TOO_MANY_CLIENT_CALLS, EAGAIN,
	  "VERR_HGCM_TOO_MANY_CLIENT_CALLS" },
	{ VINF_HGCM_ASYNC_EXECUTE, 0, "VINF_HGCM_ASYNC_EXECUTE" },
	{ VWRN_NOT_FOUND, 0, "VWRN_NOT_FOUND" },
	{ VINF_PERMISSION_DENIED, 0, "VINF_PERMISSION_DENIED" },
};

/* Successes are 0; an error without a pair is EPROTO, as in Linux. */
int vbox_status_to_errno(int rc)
{
	unsigned int i;

	if (rc >= 0)
		return 0;
	for (i = 0; i < ARRAY_SIZE(statuses); i++)
		if (statuses[i].rc == rc)
			return -statuses[i].err;
	return -EPROTO;
}

/* The first status listed for err (negative errno); 0 is VINF_SUCCESS. */
int vbox_status_from_errno(int err)
{
	unsigned int i;

	if (err >= 0)
		return VINF_SUCCESS;
	for (i = 0; i < ARRAY_SIZE(statuses); i++)
		if (statuses[i].rc < 0 && statuses[i].err == -err)
			return statuses[i].rc;
	return VERR_GENERAL_FAILURE;
}

const char *vbox_status_name(int rc)
{
	unsigned int i;

	for (i = 0; i < ARRAY_SIZE(statuses); i++)
		if (statuses[i].rc == rc)
			return statuses[i].name;
	return rc < 0 ? "VERR_(unknown)" : "VINF_(unknown)";
}
