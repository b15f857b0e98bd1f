// SPDX-License-Identifier: GPL-2.0
/*
 * One VMMDev request: the guest wrote its guest-physical address to the
 * request port.  The header is read, then the whole request is copied
 * once into the device's buffer, and only the copy is looked at: a guest
 * that changes the request while the host reads it changes nothing.  The
 * checks come before any handler runs: size bounds and version, the
 * whole request inside guest RAM, the type known, its size exact (or at
 * least the minimum for the variable ones), and, until the guest driver
 * has reported its info, only the requests VirtualBox takes then.
 * Handlers answer with a VirtualBox status; rc and the answer are then
 * written back over the request.
 */
#include <stdio.h>
#include <string.h>
#include <time.h>

#include <vmmdev/vbox_status.h>

#include "guest_mem.h"
#include "machine.h"
#include "util.h"
#include "vmmdev_dev.h"
#include "release.h"

typedef int (*vmmdev_handler)(struct vmmdev *vd, uint8_t *req, uint32_t size,
			      uint32_t gpa);

struct vmmdev_req_type {
	const char *name;
	vmmdev_handler handler;
	uint32_t size;		/* exact, or the minimum when variable */
	uint32_t max_size;	/* variable: at most (0: the request limit) */
	bool variable;
	bool before_info;	/* taken before ReportGuestInfo */
	bool raw_rc;		/* writes back itself (HGCM calls kept) */
};

#define REQ(t) ((void *)(t))

static int req_get_mouse_status(struct vmmdev *vd, uint8_t *r, uint32_t size,
				uint32_t gpa)
{
	struct vmmdev_mouse_status *q = REQ(r);

	/* No pointing device to integrate: the host wants nothing. */
	q->features = vd->mouse_features | VMMDEV_MOUSE_HOST_RECHECKS_CURSOR |
		      VMMDEV_MOUSE_HOST_FULL_STATE;
	q->x = 0;
	q->y = 0;
	return VINF_SUCCESS;
}

static int req_set_mouse_status(struct vmmdev *vd, uint8_t *r, uint32_t size,
				uint32_t gpa)
{
	struct vmmdev_mouse_status *q = REQ(r);

	vd->mouse_features = q->features & VMMDEV_MOUSE_GUEST_MASK;
	return VINF_SUCCESS;
}

/* No display: a pointer shape goes nowhere, as with a headless VM. */
static int req_accept(struct vmmdev *vd, uint8_t *r, uint32_t size,
		      uint32_t gpa)
{
	return VINF_SUCCESS;
}

static int req_get_host_version(struct vmmdev *vd, uint8_t *r, uint32_t size,
				uint32_t gpa)
{
	struct vmmdev_host_version *q = REQ(r);
	unsigned int major = 0, minor = 0, build = 0;

	/* Vireo's own release: its guests know which host they run on. */
	if (sscanf(vireo_release(), "%u.%u.%u", &major, &minor, &build) < 1)
		major = 0;
	q->major = (uint16_t)major;
	q->minor = (uint16_t)minor;
	q->build = build;
	q->revision = 0;
	q->features = VMMDEV_HVF_HGCM_PHYS_PAGE_LIST |
		      VMMDEV_HVF_HGCM_EMBEDDED_BUFFERS |
		      VMMDEV_HVF_HGCM_CONTIGUOUS_PAGE_LIST |
		      VMMDEV_HVF_HGCM_NO_BOUNCE_PAGE_LIST |
		      VMMDEV_HVF_FAST_IRQ_ACK;
	return VINF_SUCCESS;
}

static int req_get_host_time(struct vmmdev *vd, uint8_t *r, uint32_t size,
			     uint32_t gpa)
{
	struct vmmdev_host_time *q = REQ(r);
	struct timespec ts;

	clock_gettime(CLOCK_REALTIME, &ts);
	q->time_ms = (uint64_t)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
	return VINF_SUCCESS;
}

/* Vireo keeps no area in the guest's address space: report none. */
static int req_get_hypervisor_info(struct vmmdev *vd, uint8_t *r,
				   uint32_t size, uint32_t gpa)
{
	struct vmmdev_hypervisor_info *q = REQ(r);

	q->start = 0;
	q->size = 0;
	return VINF_SUCCESS;
}

static int req_set_hypervisor_info(struct vmmdev *vd, uint8_t *r,
				   uint32_t size, uint32_t gpa)
{
	struct vmmdev_hypervisor_info *q = REQ(r);

	return !q->start || !q->size ? VINF_SUCCESS : VERR_NOT_SUPPORTED;
}

/*
 * Power off as the ACPI sleep does (status 0).  Pausing or saving from
 * inside, which VirtualBox also offers, needs the vCPU that asks to
 * stop itself: not supported.
 */
static int req_set_power_status(struct vmmdev *vd, uint8_t *r, uint32_t size,
				uint32_t gpa)
{
	struct vmmdev_power_status *q = REQ(r);

	switch (q->state) {
	case VMMDEV_POWER_OFF:
		pr_info("vmmdev: the guest powers off\n");
		machine_request_exit(vd->m, 0);
		return VINF_SUCCESS;
	case VMMDEV_POWER_PAUSE:
	case VMMDEV_POWER_SAVE_STATE:
		return VERR_NOT_SUPPORTED;
	default:
		return VERR_INVALID_PARAMETER;
	}
}

static int req_acknowledge_events(struct vmmdev *vd, uint8_t *r,
				  uint32_t size, uint32_t gpa)
{
	struct vmmdev_events *q = REQ(r);

	q->events = vmmdev_ack(vd);
	return VINF_SUCCESS;
}

static int req_ctl_filter_mask(struct vmmdev *vd, uint8_t *r, uint32_t size,
			       uint32_t gpa)
{
	struct vmmdev_mask *q = REQ(r);

	vmmdev_set_filter(vd, q->or_mask, q->not_mask);
	return VINF_SUCCESS;
}

/* Interface 1.x, x <= 4, is what VirtualBox's hosts accept. */
static int req_report_guest_info(struct vmmdev *vd, uint8_t *r, uint32_t size,
				 uint32_t gpa)
{
	struct vmmdev_guest_info *q = REQ(r);

	if (VMMDEV_VERSION_MAJOR(q->interface_version) != 1 ||
	    VMMDEV_VERSION_MINOR(q->interface_version) >
	    VMMDEV_VERSION_MINOR(VMMDEV_VERSION) ||
	    VMMDEV_VERSION_MINOR(q->interface_version) < 4)
		return VERR_VERSION_MISMATCH;
	if (!vd->additions_ok)
		pr_info("vmmdev: guest driver reported: interface %u.%u, OS type %#x\n",
			VMMDEV_VERSION_MAJOR(q->interface_version),
			VMMDEV_VERSION_MINOR(q->interface_version), q->os_type);
	vd->interface_version = q->interface_version;
	vd->os_type = q->os_type;
	vd->additions_ok = true;
	vmmdev_update_irq(vd);
	return VINF_SUCCESS;
}

/* The name must be text, and start with "major.minor.build". */
static int req_report_guest_info2(struct vmmdev *vd, uint8_t *r, uint32_t size,
				  uint32_t gpa)
{
	struct vmmdev_guest_info2 *q = REQ(r);
	char prefix[40];
	size_t i, len;

	len = strnlen(q->name, sizeof(q->name));
	if (q->major < 3 || len == sizeof(q->name))
		return VERR_INVALID_PARAMETER;
	for (i = 0; i < len; i++)
		if (q->name[i] < 0x20 || q->name[i] > 0x7e)
			return VERR_INVALID_PARAMETER;
	snprintf(prefix, sizeof(prefix), "%u.%u.%u", q->major, q->minor,
		 q->build);
	if (strncmp(q->name, prefix, strlen(prefix)))
		return VERR_INVALID_PARAMETER;
	vd->info2.major = q->major;
	vd->info2.minor = q->minor;
	vd->info2.build = q->build;
	vd->info2.revision = q->revision;
	vd->info2.features = q->features;
	memcpy(vd->info2.name, q->name, len + 1);
	if (!vd->have_info2)
		pr_info("vmmdev: guest additions %s r%u\n", vd->info2.name,
			q->revision);
	vd->have_info2 = true;
	return VINF_SUCCESS;
}

struct vmmdev_facility_state *vmmdev_facility(struct vmmdev *vd,
					      uint32_t facility)
{
	unsigned int i;

	for (i = 0; i < vd->nr_facilities; i++)
		if (vd->facility[i].facility == facility)
			return &vd->facility[i];
	if (vd->nr_facilities == VMMDEV_MAX_FACILITIES)
		return NULL;
	vd->facility[vd->nr_facilities] = (struct vmmdev_facility_state) {
		.facility = facility,
	};
	return &vd->facility[vd->nr_facilities++];
}

static void facility_set(struct vmmdev *vd, struct vmmdev_facility_state *f,
			 uint32_t status)
{
	struct timespec ts;

	/* Rate-limited: a guest could flip a status without end. */
	if (f->status != status || !f->since_ms)
		vmmdev_log_error(vd, "facility %s: %s",
				 vmmdev_facility_name(f->facility),
				 vmmdev_facility_status_name(status));
	clock_gettime(CLOCK_REALTIME, &ts);
	f->status = status;
	f->since_ms = (uint64_t)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

static int req_report_guest_status(struct vmmdev *vd, uint8_t *r,
				   uint32_t size, uint32_t gpa)
{
	struct vmmdev_guest_status *q = REQ(r);
	struct vmmdev_facility_state *f;
	unsigned int i;

	if (!q->facility || q->facility > VMMDEV_FACILITY_ALL)
		return VERR_INVALID_PARAMETER;
	if (q->status > 0xffff)
		return VERR_OUT_OF_RANGE;
	if (q->facility == VMMDEV_FACILITY_ALL) {
		for (i = 0; i < vd->nr_facilities; i++)
			facility_set(vd, &vd->facility[i], q->status);
		return VINF_SUCCESS;
	}
	f = vmmdev_facility(vd, q->facility);
	if (!f)
		return VERR_OUT_OF_RESOURCES;
	facility_set(vd, f, q->status);
	return VINF_SUCCESS;
}

static int req_report_guest_caps(struct vmmdev *vd, uint8_t *r, uint32_t size,
				 uint32_t gpa)
{
	struct vmmdev_events *q = REQ(r);

	vd->guest_caps = q->events & VMMDEV_GUEST_CAPABILITIES_MASK;
	return VINF_SUCCESS;
}

static int req_set_guest_caps(struct vmmdev *vd, uint8_t *r, uint32_t size,
			      uint32_t gpa)
{
	struct vmmdev_mask *q = REQ(r);

	vd->guest_caps = ((vd->guest_caps | q->or_mask) & ~q->not_mask) &
			 VMMDEV_GUEST_CAPABILITIES_MASK;
	return VINF_SUCCESS;
}

/*
 * No display: never a change request, every mode answered alike (0x0x0
 * for display 0, none else; no mode supported; no monitors).
 */
static void ack_event(struct vmmdev *vd, uint32_t ack, uint32_t event)
{
	if (ack & event)
		vd->events &= ~event;
}

static int req_display_change(struct vmmdev *vd, uint8_t *r, uint32_t size,
			      uint32_t gpa)
{
	struct vmmdev_display_change2 *q = REQ(r);

	ack_event(vd, q->event_ack, VMMDEV_EVENT_DISPLAY_CHANGE_REQUEST);
	if (size >= sizeof(*q) && q->display)
		return VERR_INVALID_PARAMETER;
	q->xres = q->yres = q->bpp = 0;
	return VINF_SUCCESS;
}

static int req_display_change_ex(struct vmmdev *vd, uint8_t *r, uint32_t size,
				 uint32_t gpa)
{
	struct vmmdev_display_change_ex *q = REQ(r);

	ack_event(vd, q->event_ack, VMMDEV_EVENT_DISPLAY_CHANGE_REQUEST);
	if (q->display)
		return VERR_INVALID_PARAMETER;
	q->xres = q->yres = q->bpp = 0;
	q->x_origin = q->y_origin = 0;
	q->change_origin = 0;
	q->enabled = 0;
	return VINF_SUCCESS;
}

#define DISPLAY_DEF_SIZE	28

static int req_display_change_multi(struct vmmdev *vd, uint8_t *r,
				    uint32_t size, uint32_t gpa)
{
	struct vmmdev_display_change_multi *q = REQ(r);

	ack_event(vd, q->event_ack, VMMDEV_EVENT_DISPLAY_CHANGE_REQUEST);
	if (q->count > (size - sizeof(*q)) / DISPLAY_DEF_SIZE)
		return VERR_INVALID_PARAMETER;
	q->count = 0;
	return VINF_SUCCESS;
}

static int req_video_mode(struct vmmdev *vd, uint8_t *r, uint32_t size,
			  uint32_t gpa)
{
	struct vmmdev_video_mode_supported *q = REQ(r);

	q->supported = 0;
	return VINF_SUCCESS;
}

static int req_video_mode2(struct vmmdev *vd, uint8_t *r, uint32_t size,
			   uint32_t gpa)
{
	struct vmmdev_video_mode_supported2 *q = REQ(r);

	q->supported = 0;
	return VINF_SUCCESS;
}

/* GetHeightReduction: 0. */
static int req_zero_value(struct vmmdev *vd, uint8_t *r, uint32_t size,
			  uint32_t gpa)
{
	struct vmmdev_u32_value *q = REQ(r);

	q->value = 0;
	return VINF_SUCCESS;
}

static int req_statistics_change(struct vmmdev *vd, uint8_t *r, uint32_t size,
				 uint32_t gpa)
{
	struct vmmdev_statistics_change *q = REQ(r);

	ack_event(vd, q->event_ack, VMMDEV_EVENT_STATISTICS_INTERVAL);
	q->interval_s = 0;
	return VINF_SUCCESS;
}

/* No balloon is ever asked for (yet). */
static int req_balloon_change(struct vmmdev *vd, uint8_t *r, uint32_t size,
			      uint32_t gpa)
{
	struct vmmdev_balloon_change *q = REQ(r);

	ack_event(vd, q->event_ack, VMMDEV_EVENT_BALLOON_CHANGE_REQUEST);
	q->balloon_chunks = 0;
	q->phys_mem_chunks = (uint32_t)(vd->m->ram_size >> 20);
	return VINF_SUCCESS;
}

static int req_seamless_change(struct vmmdev *vd, uint8_t *r, uint32_t size,
			       uint32_t gpa)
{
	struct vmmdev_seamless_change *q = REQ(r);

	ack_event(vd, q->event_ack, VMMDEV_EVENT_SEAMLESS_MODE_CHANGE);
	q->mode = 0;
	return VINF_SUCCESS;
}

static int req_vrdp_change(struct vmmdev *vd, uint8_t *r, uint32_t size,
			   uint32_t gpa)
{
	struct vmmdev_vrdp_change *q = REQ(r);

	q->active = 0;
	q->experience = 0;
	return VINF_SUCCESS;
}

static int req_cpu_hotplug(struct vmmdev *vd, uint8_t *r, uint32_t size,
			   uint32_t gpa)
{
	struct vmmdev_cpu_hotplug *q = REQ(r);

	q->event = VMMDEV_CPU_EVENT_NONE;
	q->core_id = q->package_id = 0;
	return VINF_SUCCESS;
}

static int req_get_session_id(struct vmmdev *vd, uint8_t *r, uint32_t size,
			      uint32_t gpa)
{
	struct vmmdev_session_id *q = REQ(r);

	q->session_id = vd->session_id;
	return VINF_SUCCESS;
}

/* Vireo writes no guest core dumps (VirtualBox's default, too). */
static int req_denied(struct vmmdev *vd, uint8_t *r, uint32_t size,
		      uint32_t gpa)
{
	return VERR_ACCESS_DENIED;
}

static int req_heartbeat(struct vmmdev *vd, uint8_t *r, uint32_t size,
			 uint32_t gpa)
{
	vmmdev_heartbeat(vd);
	return VINF_SUCCESS;
}

static int req_heartbeat_configure(struct vmmdev *vd, uint8_t *r,
				   uint32_t size, uint32_t gpa)
{
	struct vmmdev_heartbeat *q = REQ(r);

	q->interval_ns = VMMDEV_HEARTBEAT_INTERVAL_NS;
	return vmmdev_heartbeat_configure(vd, q->enabled);
}

static int req_nt_bug_check(struct vmmdev *vd, uint8_t *r, uint32_t size,
			    uint32_t gpa)
{
	if (size != sizeof(struct vmmdev_header) && size != 64)
		return VERR_INVALID_PARAMETER;
	vmmdev_log_error(vd, "the guest reports a bug check");
	return VINF_SUCCESS;
}

/* A line for the VM's log: printable text up to its NUL, rate-limited. */
static int req_log_string(struct vmmdev *vd, uint8_t *r, uint32_t size,
			  uint32_t gpa)
{
	char *s = (char *)r + sizeof(struct vmmdev_header), line[201];
	size_t len = strnlen(s, size - sizeof(struct vmmdev_header)), i;

	if (len == size - sizeof(struct vmmdev_header))
		return VERR_INVALID_PARAMETER;
	for (i = 0; i < len && i < sizeof(line) - 1; i++)
		line[i] = s[i] >= 0x20 && s[i] <= 0x7e ? s[i] : '?';
	line[i] = '\0';
	vmmdev_log_error(vd, "guest: %s", line);
	return VINF_SUCCESS;
}

static int req_hgcm_connect(struct vmmdev *vd, uint8_t *r, uint32_t size,
			    uint32_t gpa)
{
	return hgcm_connect(vd, gpa, r);
}

static int req_hgcm_disconnect(struct vmmdev *vd, uint8_t *r, uint32_t size,
			       uint32_t gpa)
{
	return hgcm_disconnect(vd, gpa, r);
}

static int req_hgcm_call32(struct vmmdev *vd, uint8_t *r, uint32_t size,
			   uint32_t gpa)
{
	return hgcm_call(vd, gpa, r, size, false);
}

static int req_hgcm_call64(struct vmmdev *vd, uint8_t *r, uint32_t size,
			   uint32_t gpa)
{
	return hgcm_call(vd, gpa, r, size, true);
}

/* The old cancel: the call's own request, sent again at its address. */
static int req_hgcm_cancel(struct vmmdev *vd, uint8_t *r, uint32_t size,
			   uint32_t gpa)
{
	int rc = hgcm_cancel(vd, gpa);

	return rc == VERR_NOT_FOUND ? VERR_INVALID_PARAMETER : rc;
}

static int req_hgcm_cancel2(struct vmmdev *vd, uint8_t *r, uint32_t size,
			    uint32_t gpa)
{
	struct vmmdev_hgcm_cancel2 *q = REQ(r);

	if (!q->phys_req || q->phys_req == 0xffffffff)
		return VERR_INVALID_PARAMETER;
	return hgcm_cancel(vd, q->phys_req);
}

/* A type's entry: its name, handler, exact or least size (and most). */
#define FIXED(n, t, h) \
	[VMMDEV_REQ_##n] = { #n, h, sizeof(t) }
#define AT_LEAST(n, t, h, max) \
	[VMMDEV_REQ_##n] = { #n, h, sizeof(t), max, true }

static const struct vmmdev_req_type req_types[] = {
	FIXED(GET_MOUSE_STATUS, struct vmmdev_mouse_status,
	      req_get_mouse_status),
	FIXED(SET_MOUSE_STATUS, struct vmmdev_mouse_status,
	      req_set_mouse_status),
	AT_LEAST(SET_POINTER_SHAPE, struct vmmdev_mouse_status, req_accept, 0),
	[VMMDEV_REQ_GET_HOST_VERSION] = {
		"GET_HOST_VERSION", req_get_host_version,
		sizeof(struct vmmdev_host_version), .before_info = true },
	FIXED(GET_HOST_TIME, struct vmmdev_host_time, req_get_host_time),
	FIXED(GET_HYPERVISOR_INFO, struct vmmdev_hypervisor_info,
	      req_get_hypervisor_info),
	FIXED(SET_HYPERVISOR_INFO, struct vmmdev_hypervisor_info,
	      req_set_hypervisor_info),
	FIXED(SET_POWER_STATUS, struct vmmdev_power_status,
	      req_set_power_status),
	FIXED(ACKNOWLEDGE_EVENTS, struct vmmdev_events,
	      req_acknowledge_events),
	FIXED(CTL_GUEST_FILTER_MASK, struct vmmdev_mask, req_ctl_filter_mask),
	[VMMDEV_REQ_REPORT_GUEST_INFO] = {
		"REPORT_GUEST_INFO", req_report_guest_info,
		sizeof(struct vmmdev_guest_info), .before_info = true },
	[VMMDEV_REQ_GET_DISPLAY_CHANGE] = {
		"GET_DISPLAY_CHANGE", req_display_change,
		sizeof(struct vmmdev_display_change2) - 4 },
	FIXED(VIDEO_MODE_SUPPORTED, struct vmmdev_video_mode_supported,
	      req_video_mode),
	FIXED(GET_HEIGHT_REDUCTION, struct vmmdev_u32_value, req_zero_value),
	FIXED(GET_DISPLAY_CHANGE2, struct vmmdev_display_change2,
	      req_display_change),
	FIXED(REPORT_GUEST_CAPABILITIES, struct vmmdev_events,
	      req_report_guest_caps),
	FIXED(SET_GUEST_CAPABILITIES, struct vmmdev_mask, req_set_guest_caps),
	FIXED(VIDEO_MODE_SUPPORTED2, struct vmmdev_video_mode_supported2,
	      req_video_mode2),
	[VMMDEV_REQ_REPORT_GUEST_INFO2] = {
		"REPORT_GUEST_INFO2", req_report_guest_info2,
		sizeof(struct vmmdev_guest_info2), .before_info = true },
	FIXED(REPORT_GUEST_STATUS, struct vmmdev_guest_status,
	      req_report_guest_status),
	AT_LEAST(HGCM_CONNECT, struct vmmdev_hgcm_connect, req_hgcm_connect, 0),
	AT_LEAST(HGCM_DISCONNECT, struct vmmdev_hgcm_disconnect,
		 req_hgcm_disconnect, 0),
	[VMMDEV_REQ_HGCM_CALL32] = {
		"HGCM_CALL32", req_hgcm_call32, sizeof(struct vmmdev_hgcm_call),
		0, true, .raw_rc = true },
	[VMMDEV_REQ_HGCM_CALL64] = {
		"HGCM_CALL64", req_hgcm_call64, sizeof(struct vmmdev_hgcm_call),
		0, true, .raw_rc = true },
	AT_LEAST(HGCM_CANCEL, struct vmmdev_hgcm_header, req_hgcm_cancel, 0),
	FIXED(HGCM_CANCEL2, struct vmmdev_hgcm_cancel2, req_hgcm_cancel2),
	FIXED(GET_SEAMLESS_CHANGE, struct vmmdev_seamless_change,
	      req_seamless_change),
	AT_LEAST(REPORT_GUEST_USER_STATE, struct vmmdev_balloon_change,
		 req_accept, 2048),
	FIXED(GET_DISPLAY_CHANGE_EX, struct vmmdev_display_change_ex,
	      req_display_change_ex),
	AT_LEAST(GET_DISPLAY_CHANGE_MULTI, struct vmmdev_display_change_multi,
		 req_display_change_multi, 0),
	[VMMDEV_REQ_REPORT_GUEST_STATS] = {
		"REPORT_GUEST_STATS", req_accept, 100 },
	FIXED(GET_BALLOON_CHANGE, struct vmmdev_balloon_change,
	      req_balloon_change),
	FIXED(GET_STATISTICS_CHANGE, struct vmmdev_statistics_change,
	      req_statistics_change),
	FIXED(GET_VRDP_CHANGE, struct vmmdev_vrdp_change, req_vrdp_change),
	AT_LEAST(LOG_STRING, struct vmmdev_events, req_log_string, 0),
	FIXED(GET_CPU_HOTPLUG, struct vmmdev_cpu_hotplug, req_cpu_hotplug),
	FIXED(SET_CPU_HOTPLUG_STATUS, struct vmmdev_events, req_accept),
	FIXED(GET_SESSION_ID, struct vmmdev_session_id, req_get_session_id),
	[VMMDEV_REQ_WRITE_CORE_DUMP] = {
		"WRITE_CORE_DUMP", req_denied,
		sizeof(struct vmmdev_core_dump), .before_info = true },
	FIXED(GUEST_HEARTBEAT, struct vmmdev_header, req_heartbeat),
	FIXED(HEARTBEAT_CONFIGURE, struct vmmdev_heartbeat,
	      req_heartbeat_configure),
	AT_LEAST(NT_BUG_CHECK, struct vmmdev_header, req_nt_bug_check, 64),
};

static const struct vmmdev_req_type *req_type(uint32_t type)
{
	if (type >= ARRAY_SIZE(req_types) || !req_types[type].handler)
		return NULL;
	return &req_types[type];
}

const char *vmmdev_request_name(uint32_t type)
{
	const struct vmmdev_req_type *t = req_type(type);

	return t ? t->name : "unknown";
}

/* Each type once, so the log shows what the guest's driver did. */
static void log_first(struct vmmdev *vd, uint32_t type)
{
	if (type < VMMDEV_LOGGED_TYPES) {
		if (vd->logged[type / 8] & (1u << (type % 8)))
			return;
		vd->logged[type / 8] |= 1u << (type % 8);
	} else {
		if (vd->logged_other)
			return;
		vd->logged_other = true;
	}
	pr_info("vmmdev: first request %s (%u)\n", vmmdev_request_name(type),
		type);
}

static int req_check(struct vmmdev *vd, const struct vmmdev_req_type *t,
		     uint32_t size)
{
	if (!t)
		return VERR_NOT_IMPLEMENTED;
	if (!vd->additions_ok && !t->before_info)
		return VERR_NOT_SUPPORTED;
	if (t->variable ? size < t->size ||
			  (t->max_size && size > t->max_size) :
			  size != t->size)
		return VERR_INVALID_PARAMETER;
	return VINF_SUCCESS;
}

/*
 * The header is read once into h and checked; the whole request is then
 * copied, and its header overwritten with h: the guest may have changed
 * size, version or type in its memory between the two reads, and only
 * what was checked may count.
 */
void vmmdev_request(struct vmmdev *vd, uint32_t gpa)
{
	const struct guest_mem *gm = vd->m->mem;
	const struct vmmdev_req_type *t;
	struct vmmdev_header h;
	int rc;

	vd->requests++;
	if (!gm || guest_mem_read(gm, gpa, &h, sizeof(h))) {
		vmmdev_log_error(vd, "request at %#x is not in guest RAM", gpa);
		return;
	}
	/* Not a request: VirtualBox leaves such memory alone, as here. */
	if (h.size < sizeof(h) || h.version != VMMDEV_REQUEST_VERSION) {
		vmmdev_log_error(vd, "request at %#x: size %u, version %#x: ignored",
				 gpa, h.size, h.version);
		return;
	}
	t = req_type(h.type);
	log_first(vd, h.type);
	if (h.size > VMMDEV_MAX_REQUEST_SIZE) {
		rc = VERR_NOT_SUPPORTED;
		goto answer_rc;
	}
	rc = req_check(vd, t, h.size);
	if (rc != VINF_SUCCESS)
		goto answer_rc;
	if (guest_mem_read(gm, gpa, vd->req, h.size)) {
		rc = VERR_INVALID_POINTER;
		goto answer_rc;
	}
	memcpy(vd->req, &h, sizeof(h));
	rc = t->handler(vd, vd->req, h.size, gpa);
	if (t->raw_rc && rc == VINF_HGCM_ASYNC_EXECUTE)
		goto answer_rc;
	if (rc < 0)
		vmmdev_log_error(vd, "request %s: %s", t->name,
				 vbox_status_name(rc));
	((struct vmmdev_header *)vd->req)->rc = rc;
	if (guest_mem_write(gm, gpa, vd->req, h.size))
		vmmdev_log_error(vd, "request at %#x: cannot write back", gpa);
	return;

answer_rc:
	if (rc < 0)
		vmmdev_log_error(vd, "request %s (%u) at %#x, size %u: %s",
				 vmmdev_request_name(h.type), h.type, gpa,
				 h.size, vbox_status_name(rc));
	if (guest_mem_write(gm, gpa + offsetof(struct vmmdev_header, rc), &rc,
			    sizeof(rc)))
		vmmdev_log_error(vd, "request at %#x: cannot write rc", gpa);
}
