/* SPDX-License-Identifier: GPL-2.0 */
/*
 * VMMDev inside vireo-vm: the state the device's files share.
 *
 *	vmmdev.c	the PCI function: ports, the VMMDevMemory page,
 *			events and the interrupt, heartbeat, lifecycle
 *	vmmdev_req.c	a request: read, validated, dispatched by type
 *	vmmdev_hgcm.c	HGCM: clients, calls, parameters, completion
 *	svc_*.c		HGCM services, one a file (hgcm.h)
 *	vmmdev_host.c	what the host asks (the control socket, additions.h)
 *	vmmdev_status.c	VirtualBox status codes and errno
 *
 * Everything here runs under the device's lock (devices.h): a vCPU's
 * port access, the heartbeat timer, and the control socket's requests.
 */
#ifndef VIREO_VMMDEV_DEV_H
#define VIREO_VMMDEV_DEV_H

#include <stdbool.h>
#include <stdint.h>

#include <vmmdev/vmmdev.h>

#include "additions.h"
#include "devices.h"
#include "hgcm.h"
#include "pci/pci.h"

#define VMMDEV_MAX_FACILITIES	16
/* Request types below this are logged once each; others once in all. */
#define VMMDEV_LOGGED_TYPES	256

/* Heartbeat (VirtualBox's defaults): beat every 2 s, flatline after 4. */
#define VMMDEV_HEARTBEAT_INTERVAL_NS	2000000000ULL
#define VMMDEV_HEARTBEAT_TIMEOUT_NS	(2 * VMMDEV_HEARTBEAT_INTERVAL_NS)

struct vmmdev_facility_state {
	uint32_t facility;
	uint32_t status;
	uint64_t since_ms;	/* CLOCK_REALTIME of the last change */
};

struct vmmdev {
	struct device *dev;
	struct machine *m;
	struct pci_device pci;

	/* The guest driver and what it said of itself. */
	bool additions_ok;		/* ReportGuestInfo accepted */
	uint32_t interface_version, os_type;
	bool have_info2;
	struct {
		uint16_t major, minor;
		uint32_t build, revision, features;
		char name[VMMDEV_GUEST_INFO2_NAME_SIZE];
	} info2;
	uint32_t guest_caps;
	uint32_t mouse_features;
	struct vmmdev_facility_state facility[VMMDEV_MAX_FACILITIES];
	unsigned int nr_facilities;
	uint64_t session_id;

	/* Events: pending bits, the guest's filter, the line's level. */
	uint32_t events;
	uint32_t filter;
	uint8_t have_events;		/* the VMMDevMemory flag */

	/* Heartbeat, on machine_now(): flatlined after the timeout. */
	bool hb_enabled;
	bool hb_flatlined;
	uint64_t hb_last_ns;
	uint64_t hb_beats;
	struct ev_timer *hb_timer;

	/* The request being handled: a copy, never the guest's memory. */
	uint8_t *req;			/* VMMDEV_MAX_REQUEST_SIZE */
	uint8_t logged[VMMDEV_LOGGED_TYPES / 8];
	bool logged_other;
	uint64_t requests;		/* handled, since power-on */
	/* Errors logged: at most a burst, then one line per interval. */
	unsigned int err_burst;
	uint64_t err_window_ns;
	uint64_t err_suppressed;

	/* The backdoor log port: a line at a time. */
	char log_line[160];
	unsigned int log_len;

	struct hgcm hgcm;
};

/* vmmdev.c */
void vmmdev_raise(struct vmmdev *vd, uint32_t events);
uint32_t vmmdev_ack(struct vmmdev *vd);
void vmmdev_update_irq(struct vmmdev *vd);
void vmmdev_set_filter(struct vmmdev *vd, uint32_t or_mask,
		       uint32_t not_mask);
void vmmdev_heartbeat(struct vmmdev *vd);
int vmmdev_heartbeat_configure(struct vmmdev *vd, bool enabled);
/* A guest-caused problem, for the VM's log: rate-limited. */
__attribute__((__format__(printf, 2, 3)))
void vmmdev_log_error(struct vmmdev *vd, const char *fmt, ...);

/* vmmdev_req.c: the request at gpa (BAR0 + 0). */
void vmmdev_request(struct vmmdev *vd, uint32_t gpa);
const char *vmmdev_request_name(uint32_t type);
/* The facility's entry (made on first report), or NULL when full. */
struct vmmdev_facility_state *vmmdev_facility(struct vmmdev *vd,
					      uint32_t facility);
const char *vmmdev_facility_name(uint32_t facility);
const char *vmmdev_facility_status_name(uint32_t status);

/* vmmdev_status.c */
int vbox_status_to_errno(int rc);
int vbox_status_from_errno(int err);
const char *vbox_status_name(int rc);

/* vmmdev_host.c: the additions' channel put in the machine (additions.h). */
void vmmdev_host_attach(struct vmmdev *vd);
void vmmdev_host_detach(struct vmmdev *vd);

#endif /* VIREO_VMMDEV_DEV_H */
