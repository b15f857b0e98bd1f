/* SPDX-License-Identifier: GPL-2.0 OR MIT */
/*
 * The VMMDev wire ABI: VirtualBox's host/guest communication device, as the
 * guest sees it.  Shared by the host side (userspace/vmmdev/) and the guest
 * additions (guest/), so the two cannot disagree.  Every number and layout
 * is the public protocol's, as Linux's in-tree driver speaks it
 * (drivers/virt/vboxguest/vmmdev.h, include/uapi/linux/vbox_vmmdev_types.h):
 * this header states them, it copies no code.  docs/vmmdev.md walks
 * through the protocol.
 *
 * All fields are little endian.  Every struct is followed by a check of
 * its size, so a layout mistake fails the build.
 */
#ifndef VIREO_VMMDEV_H
#define VIREO_VMMDEV_H

#ifdef __KERNEL__
#include <linux/build_bug.h>
#include <linux/types.h>
#else
#include <assert.h>
#include <stdint.h>
/* The kernel's attribute names, for user space. */
#define VMMDEV_ATTRIBUTE(a)	__attribute__((a))
#ifndef __packed
#define __packed		VMMDEV_ATTRIBUTE(__packed__)
#endif
#ifndef __aligned
#define __aligned(x)		VMMDEV_ATTRIBUTE(__aligned__(x))
#endif
#endif

#define VMMDEV_ASSERT_SIZE(type, size) \
	static_assert(sizeof(type) == (size), #type " is " #size " bytes")

/* The PCI function. */
#define VMMDEV_VENDOR_ID		0x80ee
#define VMMDEV_DEVICE_ID		0xcafe
#define VMMDEV_CLASS			0x088000	/* system peripheral, other */

/* BAR0: 32 ports. */
#define VMMDEV_PORT_SIZE		0x20
#define VMMDEV_PORT_REQUEST		0	/* outl: a request's address */
#define VMMDEV_PORT_REQUEST_FAST	8	/* inl: acknowledge events */
/* The backdoor log port: bytes written to it go to the VM's log. */
#define VMMDEV_LOG_PORT			0x504

/* BAR1: the VMMDevMemory area. */
#define VMMDEV_RAM_SIZE			(4u << 20)
#define VMMDEV_MEMORY_VERSION		1

struct vmmdev_memory {
	uint32_t size;		/* of this structure as the host fills it */
	uint32_t version;	/* VMMDEV_MEMORY_VERSION */
	uint8_t have_events;	/* set with the interrupt, cleared on ack */
	uint8_t pad[7];
};
VMMDEV_ASSERT_SIZE(struct vmmdev_memory, 16);

/*
 * A request: its guest-physical address (below 4 GiB) is written to
 * BAR0 + VMMDEV_PORT_REQUEST; the host handles it before the write
 * completes and writes rc (and the answer) back into it.
 */
#define VMMDEV_REQUEST_VERSION		0x10001
#define VMMDEV_MAX_REQUEST_SIZE		(1u << 20)

struct vmmdev_header {
	uint32_t size;		/* of the whole request */
	uint32_t version;	/* VMMDEV_REQUEST_VERSION */
	uint32_t type;		/* enum vmmdev_request_type */
	int32_t rc;		/* VirtualBox status (vbox_status.h) */
	uint32_t reserved;	/* 0 */
	uint32_t requestor;	/* VMMDEV_REQUESTOR_* */
};
VMMDEV_ASSERT_SIZE(struct vmmdev_header, 24);

enum vmmdev_request_type {
	VMMDEV_REQ_GET_MOUSE_STATUS		= 1,
	VMMDEV_REQ_SET_MOUSE_STATUS		= 2,
	VMMDEV_REQ_SET_POINTER_SHAPE		= 3,
	VMMDEV_REQ_GET_HOST_VERSION		= 4,
	VMMDEV_REQ_IDLE				= 5,
	VMMDEV_REQ_GET_HOST_TIME		= 10,
	VMMDEV_REQ_GET_HYPERVISOR_INFO		= 20,
	VMMDEV_REQ_SET_HYPERVISOR_INFO		= 21,
	VMMDEV_REQ_REGISTER_PATCH_MEMORY	= 22,
	VMMDEV_REQ_DEREGISTER_PATCH_MEMORY	= 23,
	VMMDEV_REQ_SET_POWER_STATUS		= 30,
	VMMDEV_REQ_ACKNOWLEDGE_EVENTS		= 41,
	VMMDEV_REQ_CTL_GUEST_FILTER_MASK	= 42,
	VMMDEV_REQ_REPORT_GUEST_INFO		= 50,
	VMMDEV_REQ_GET_DISPLAY_CHANGE		= 51,
	VMMDEV_REQ_VIDEO_MODE_SUPPORTED		= 52,
	VMMDEV_REQ_GET_HEIGHT_REDUCTION		= 53,
	VMMDEV_REQ_GET_DISPLAY_CHANGE2		= 54,
	VMMDEV_REQ_REPORT_GUEST_CAPABILITIES	= 55,
	VMMDEV_REQ_SET_GUEST_CAPABILITIES	= 56,
	VMMDEV_REQ_VIDEO_MODE_SUPPORTED2	= 57,
	VMMDEV_REQ_REPORT_GUEST_INFO2		= 58,
	VMMDEV_REQ_REPORT_GUEST_STATUS		= 59,
	VMMDEV_REQ_HGCM_CONNECT			= 60,
	VMMDEV_REQ_HGCM_DISCONNECT		= 61,
	VMMDEV_REQ_HGCM_CALL32			= 62,
	VMMDEV_REQ_HGCM_CALL64			= 63,
	VMMDEV_REQ_HGCM_CANCEL			= 64,
	VMMDEV_REQ_HGCM_CANCEL2			= 65,
	VMMDEV_REQ_GET_SEAMLESS_CHANGE		= 73,
	VMMDEV_REQ_REPORT_GUEST_USER_STATE	= 74,
	VMMDEV_REQ_GET_DISPLAY_CHANGE_EX	= 80,
	VMMDEV_REQ_GET_DISPLAY_CHANGE_MULTI	= 81,
	VMMDEV_REQ_REPORT_GUEST_STATS		= 110,
	VMMDEV_REQ_GET_BALLOON_CHANGE		= 111,
	VMMDEV_REQ_GET_STATISTICS_CHANGE	= 112,
	VMMDEV_REQ_CHANGE_MEMBALLOON		= 113,
	VMMDEV_REQ_GET_VRDP_CHANGE		= 150,
	VMMDEV_REQ_LOG_STRING			= 200,
	VMMDEV_REQ_GET_CPU_HOTPLUG		= 210,
	VMMDEV_REQ_SET_CPU_HOTPLUG_STATUS	= 211,
	VMMDEV_REQ_GET_SESSION_ID		= 217,
	VMMDEV_REQ_WRITE_CORE_DUMP		= 218,
	VMMDEV_REQ_GUEST_HEARTBEAT		= 219,
	VMMDEV_REQ_HEARTBEAT_CONFIGURE		= 220,
	VMMDEV_REQ_NT_BUG_CHECK			= 221,
};

/* Who sent a request (header.requestor): the parts hosts look at. */
#define VMMDEV_REQUESTOR_USR_MASK	0x7
#define VMMDEV_REQUESTOR_USR_DRV	0x1
#define VMMDEV_REQUESTOR_USR_DRV_OTHER	0x2
#define VMMDEV_REQUESTOR_USR_ROOT	0x3
#define VMMDEV_REQUESTOR_USR_USER	0x6
#define VMMDEV_REQUESTOR_USERMODE	0x8
#define VMMDEV_REQUESTOR_USER_DEVICE	0x8000

/* Events the host raises (the interrupt, acknowledged by the guest). */
#define VMMDEV_EVENT_MOUSE_CAPABILITIES_CHANGED	0x001
#define VMMDEV_EVENT_HGCM			0x002
#define VMMDEV_EVENT_DISPLAY_CHANGE_REQUEST	0x004
#define VMMDEV_EVENT_JUDGE_CREDENTIALS		0x008
#define VMMDEV_EVENT_RESTORED			0x010
#define VMMDEV_EVENT_SEAMLESS_MODE_CHANGE	0x020
#define VMMDEV_EVENT_BALLOON_CHANGE_REQUEST	0x040
#define VMMDEV_EVENT_STATISTICS_INTERVAL	0x080
#define VMMDEV_EVENT_VRDP			0x100
#define VMMDEV_EVENT_MOUSE_POSITION_CHANGED	0x200
#define VMMDEV_EVENT_CPU_HOTPLUG		0x400
#define VMMDEV_EVENT_VALID_MASK			0x7ff

/* GetHostVersion's features. */
#define VMMDEV_HVF_HGCM_PHYS_PAGE_LIST		0x00000001
#define VMMDEV_HVF_HGCM_EMBEDDED_BUFFERS	0x00000002
#define VMMDEV_HVF_HGCM_CONTIGUOUS_PAGE_LIST	0x00000004
#define VMMDEV_HVF_HGCM_NO_BOUNCE_PAGE_LIST	0x00000008
#define VMMDEV_HVF_FAST_IRQ_ACK			0x80000000

/* Guest capabilities (SetGuestCapabilities). */
#define VMMDEV_GUEST_SUPPORTS_SEAMLESS		0x1
#define VMMDEV_GUEST_SUPPORTS_HOST_WINDOWS	0x2
#define VMMDEV_GUEST_SUPPORTS_GRAPHICS		0x4
#define VMMDEV_GUEST_CAPABILITIES_MASK		0x7

/* Mouse features: the guest may change VMMDEV_MOUSE_GUEST_MASK. */
#define VMMDEV_MOUSE_GUEST_CAN_ABSOLUTE		0x001
#define VMMDEV_MOUSE_HOST_WANTS_ABSOLUTE	0x002
#define VMMDEV_MOUSE_GUEST_NEEDS_HOST_CURSOR	0x004
#define VMMDEV_MOUSE_NEW_PROTOCOL		0x010
#define VMMDEV_MOUSE_HOST_RECHECKS_CURSOR	0x020
#define VMMDEV_MOUSE_GUEST_FULL_STATE		0x080
#define VMMDEV_MOUSE_HOST_FULL_STATE		0x100
#define VMMDEV_MOUSE_GUEST_MASK			0x095

/* ReportGuestInfo: the interface a guest driver speaks, its OS. */
#define VMMDEV_VERSION			0x00010004
#define VMMDEV_VERSION_MAJOR(v)		((v) >> 16)
#define VMMDEV_VERSION_MINOR(v)		((v) & 0xffff)
#define VMMDEV_OSTYPE_LINUX26		0x53000
#define VMMDEV_OSTYPE_X64		0x00100

/* ReportGuestInfo2's features: the requestor field is filled in. */
#define VMMDEV_GUEST_INFO2_F_REQUESTOR	0x1

/* Facilities and their status (ReportGuestStatus). */
enum vmmdev_facility {
	VMMDEV_FACILITY_UNKNOWN		= 0,
	VMMDEV_FACILITY_DRIVER		= 20,
	VMMDEV_FACILITY_AUTOLOGON	= 90,
	VMMDEV_FACILITY_SERVICE		= 100,
	VMMDEV_FACILITY_CLIENT		= 101,
	VMMDEV_FACILITY_SEAMLESS	= 1000,
	VMMDEV_FACILITY_GRAPHICS	= 1100,
	VMMDEV_FACILITY_MONITOR_ATTACH	= 1101,
	VMMDEV_FACILITY_ALL		= 0x7ffffffe,
};

enum vmmdev_facility_status {
	VMMDEV_FACILITY_INACTIVE	= 0,
	VMMDEV_FACILITY_PAUSED		= 1,
	VMMDEV_FACILITY_PREINIT		= 20,
	VMMDEV_FACILITY_INIT		= 30,
	VMMDEV_FACILITY_ACTIVE		= 50,
	VMMDEV_FACILITY_TERMINATING	= 100,
	VMMDEV_FACILITY_TERMINATED	= 101,
	VMMDEV_FACILITY_FAILED		= 800,
	VMMDEV_FACILITY_STATUS_UNKNOWN	= 999,
};

/* SetPowerStatus. */
#define VMMDEV_POWER_PAUSE		1
#define VMMDEV_POWER_OFF		2
#define VMMDEV_POWER_SAVE_STATE		3

/* Mouse status: GetMouseStatus, SetMouseStatus. */
struct vmmdev_mouse_status {
	struct vmmdev_header header;
	uint32_t features;
	int32_t x, y;
};
VMMDEV_ASSERT_SIZE(struct vmmdev_mouse_status, 36);

struct vmmdev_host_version {
	struct vmmdev_header header;
	uint16_t major, minor;
	uint32_t build;
	uint32_t revision;
	uint32_t features;	/* VMMDEV_HVF_* */
};
VMMDEV_ASSERT_SIZE(struct vmmdev_host_version, 40);

struct vmmdev_host_time {
	struct vmmdev_header header;
	uint64_t time_ms;	/* UTC, milliseconds since 1970 */
};
VMMDEV_ASSERT_SIZE(struct vmmdev_host_time, 32);

/* GetHypervisorInfo, SetHypervisorInfo. */
struct vmmdev_hypervisor_info {
	struct vmmdev_header header;
	uint32_t start;
	uint32_t size;
};
VMMDEV_ASSERT_SIZE(struct vmmdev_hypervisor_info, 32);

struct vmmdev_power_status {
	struct vmmdev_header header;
	uint32_t state;		/* VMMDEV_POWER_* */
};
VMMDEV_ASSERT_SIZE(struct vmmdev_power_status, 28);

/* AcknowledgeEvents; also ReportGuestCapabilities's shape. */
struct vmmdev_events {
	struct vmmdev_header header;
	uint32_t events;
};
VMMDEV_ASSERT_SIZE(struct vmmdev_events, 28);

/* CtlGuestFilterMask, SetGuestCapabilities: mask = (mask | or) & ~not. */
struct vmmdev_mask {
	struct vmmdev_header header;
	uint32_t or_mask;
	uint32_t not_mask;
};
VMMDEV_ASSERT_SIZE(struct vmmdev_mask, 32);

struct vmmdev_guest_info {
	struct vmmdev_header header;
	uint32_t interface_version;	/* VMMDEV_VERSION */
	uint32_t os_type;		/* VMMDEV_OSTYPE_* */
};
VMMDEV_ASSERT_SIZE(struct vmmdev_guest_info, 32);

#define VMMDEV_GUEST_INFO2_NAME_SIZE	128

struct vmmdev_guest_info2 {
	struct vmmdev_header header;
	uint16_t major, minor;		/* of the additions */
	uint32_t build;
	uint32_t revision;
	uint32_t features;		/* VMMDEV_GUEST_INFO2_F_* */
	char name[VMMDEV_GUEST_INFO2_NAME_SIZE];  /* "major.minor.build..." */
};
VMMDEV_ASSERT_SIZE(struct vmmdev_guest_info2, 168);

struct vmmdev_guest_status {
	struct vmmdev_header header;
	uint32_t facility;	/* enum vmmdev_facility */
	uint32_t status;	/* enum vmmdev_facility_status */
	uint32_t flags;		/* 0 */
};
VMMDEV_ASSERT_SIZE(struct vmmdev_guest_status, 36);

/* GetDisplayChangeRequest2 (the first form has no display field). */
struct vmmdev_display_change2 {
	struct vmmdev_header header;
	uint32_t xres, yres, bpp;
	uint32_t event_ack;
	uint32_t display;
};
VMMDEV_ASSERT_SIZE(struct vmmdev_display_change2, 44);

struct vmmdev_display_change_ex {
	struct vmmdev_header header;
	uint32_t xres, yres, bpp;
	uint32_t event_ack;
	uint32_t display;
	uint32_t x_origin, y_origin;
	uint8_t change_origin, enabled;
	uint8_t pad[2];
};
VMMDEV_ASSERT_SIZE(struct vmmdev_display_change_ex, 56);

/* GetDisplayChangeRequestMulti: followed by count 28-byte entries. */
struct vmmdev_display_change_multi {
	struct vmmdev_header header;
	uint32_t event_ack;
	uint32_t count;		/* entries room (in), filled (out) */
};
VMMDEV_ASSERT_SIZE(struct vmmdev_display_change_multi, 32);

struct vmmdev_video_mode_supported {
	struct vmmdev_header header;
	uint32_t width, height, bpp;
	uint8_t supported;
	uint8_t pad[3];
};
VMMDEV_ASSERT_SIZE(struct vmmdev_video_mode_supported, 40);

struct vmmdev_video_mode_supported2 {
	struct vmmdev_header header;
	uint32_t display;
	uint32_t width, height, bpp;
	uint8_t supported;
	uint8_t pad[3];
};
VMMDEV_ASSERT_SIZE(struct vmmdev_video_mode_supported2, 44);

/* GetHeightReduction, GetStatisticsChangeRequest: one value back. */
struct vmmdev_u32_value {
	struct vmmdev_header header;
	uint32_t value;
};
VMMDEV_ASSERT_SIZE(struct vmmdev_u32_value, 28);

struct vmmdev_statistics_change {
	struct vmmdev_header header;
	uint32_t interval_s;	/* 0: the guest sends no statistics */
	uint32_t event_ack;
};
VMMDEV_ASSERT_SIZE(struct vmmdev_statistics_change, 32);

struct vmmdev_balloon_change {
	struct vmmdev_header header;
	uint32_t balloon_chunks;	/* MiB the balloon should hold */
	uint32_t phys_mem_chunks;	/* MiB of guest RAM */
	uint32_t event_ack;
};
VMMDEV_ASSERT_SIZE(struct vmmdev_balloon_change, 36);

struct vmmdev_seamless_change {
	struct vmmdev_header header;
	uint32_t mode;		/* 0: disabled */
	uint32_t event_ack;
};
VMMDEV_ASSERT_SIZE(struct vmmdev_seamless_change, 32);

struct vmmdev_vrdp_change {
	struct vmmdev_header header;
	uint8_t active;
	uint8_t pad[3];
	uint32_t experience;
};
VMMDEV_ASSERT_SIZE(struct vmmdev_vrdp_change, 32);

struct vmmdev_cpu_hotplug {
	struct vmmdev_header header;
	uint32_t event;		/* 1: none */
	uint32_t core_id, package_id;
};
VMMDEV_ASSERT_SIZE(struct vmmdev_cpu_hotplug, 36);

#define VMMDEV_CPU_EVENT_NONE		1

struct vmmdev_session_id {
	struct vmmdev_header header;
	uint64_t session_id;	/* new at every power-on and reset */
};
VMMDEV_ASSERT_SIZE(struct vmmdev_session_id, 32);

struct vmmdev_core_dump {
	struct vmmdev_header header;
	uint32_t flags;
};
VMMDEV_ASSERT_SIZE(struct vmmdev_core_dump, 28);

struct vmmdev_heartbeat {
	struct vmmdev_header header;
	uint64_t interval_ns;	/* out: how often to beat */
	uint8_t enabled;	/* in */
	uint8_t pad[3];
} __packed;
VMMDEV_ASSERT_SIZE(struct vmmdev_heartbeat, 36);

/*
 * HGCM, the host/guest call manager: a guest connects to a named host
 * service and calls its functions with typed parameters.
 */
#define VMMDEV_HGCM_REQ_DONE		0x1
#define VMMDEV_HGCM_REQ_CANCELLED	0x2

struct vmmdev_hgcm_header {
	struct vmmdev_header header;
	uint32_t flags;		/* VMMDEV_HGCM_REQ_* */
	int32_t result;		/* the service's status */
};
VMMDEV_ASSERT_SIZE(struct vmmdev_hgcm_header, 32);

#define VMMDEV_HGCM_LOC_LOCALHOST_EXISTING	2
#define VMMDEV_HGCM_SERVICE_NAME_SIZE		128

struct vmmdev_hgcm_connect {
	struct vmmdev_hgcm_header hdr;
	uint32_t loc_type;	/* VMMDEV_HGCM_LOC_LOCALHOST_EXISTING */
	char service[VMMDEV_HGCM_SERVICE_NAME_SIZE];
	uint32_t client_id;	/* out */
};
VMMDEV_ASSERT_SIZE(struct vmmdev_hgcm_connect, 168);

struct vmmdev_hgcm_disconnect {
	struct vmmdev_hgcm_header hdr;
	uint32_t client_id;
};
VMMDEV_ASSERT_SIZE(struct vmmdev_hgcm_disconnect, 36);

/* Followed by parm_count parameters, then what they point into. */
struct vmmdev_hgcm_call {
	struct vmmdev_hgcm_header hdr;
	uint32_t client_id;
	uint32_t function;
	uint32_t parm_count;
};
VMMDEV_ASSERT_SIZE(struct vmmdev_hgcm_call, 44);

#define VMMDEV_HGCM_MAX_PARMS		32
#define VMMDEV_HGCM_MAX_DATA		(128u << 20)	/* bytes per call */

enum vmmdev_hgcm_parm_type {
	VMMDEV_HGCM_PARM_INVALID		= 0,
	VMMDEV_HGCM_PARM_32BIT			= 1,
	VMMDEV_HGCM_PARM_64BIT			= 2,
	VMMDEV_HGCM_PARM_PHYSADDR		= 3,	/* deprecated */
	VMMDEV_HGCM_PARM_LINADDR		= 4,
	VMMDEV_HGCM_PARM_LINADDR_IN		= 5,
	VMMDEV_HGCM_PARM_LINADDR_OUT		= 6,
	/* 7-9: a guest driver's own, never valid on the wire */
	VMMDEV_HGCM_PARM_LINADDR_KERNEL		= 7,
	VMMDEV_HGCM_PARM_LINADDR_KERNEL_IN	= 8,
	VMMDEV_HGCM_PARM_LINADDR_KERNEL_OUT	= 9,
	VMMDEV_HGCM_PARM_PAGELIST		= 10,
	VMMDEV_HGCM_PARM_EMBEDDED		= 11,
	VMMDEV_HGCM_PARM_CONTIGUOUS_PAGELIST	= 12,
	VMMDEV_HGCM_PARM_NO_BOUNCE_PAGELIST	= 13,
};

/*
 * A parameter of HGCMCall64 (16 bytes, 4-byte aligned, so the 64-bit
 * value is not naturally aligned) and of HGCMCall32 (12 bytes).
 */
struct vmmdev_hgcm_parm64 {
	uint32_t type;
	union {
		uint32_t value32;
		uint64_t value64;
		struct {
			uint32_t size;
			uint64_t addr;
		} __packed pointer;
		struct {
			uint32_t size;
			uint32_t offset;	/* of its page list info */
		} page_list;
		struct {
			uint32_t flags_offset;	/* flags: bits 0-7 */
			uint32_t size;
		} embedded;
	} __packed u;
} __packed __aligned(4);
VMMDEV_ASSERT_SIZE(struct vmmdev_hgcm_parm64, 16);

struct vmmdev_hgcm_parm32 {
	uint32_t type;
	union {
		uint32_t value32;
		uint64_t value64;
		struct {
			uint32_t size;
			uint32_t addr;
		} pointer;
		struct {
			uint32_t size;
			uint32_t offset;
		} page_list;
		struct {
			uint32_t flags_offset;
			uint32_t size;
		} embedded;
	} __packed u;
} __packed __aligned(4);
VMMDEV_ASSERT_SIZE(struct vmmdev_hgcm_parm32, 12);

/* An embedded buffer's data offset and direction in flags_offset. */
#define VMMDEV_HGCM_EMBEDDED_FLAGS(fo)	((fo) & 0xff)
#define VMMDEV_HGCM_EMBEDDED_OFFSET(fo)	((fo) >> 8)

/* A page list, inside the request, after the parameters. */
#define VMMDEV_HGCM_F_TO_HOST		0x1
#define VMMDEV_HGCM_F_FROM_HOST		0x2
#define VMMDEV_HGCM_F_BOTH		0x3
#define VMMDEV_HGCM_PAGE_SIZE		4096

struct vmmdev_hgcm_page_list {
	uint32_t flags;		/* VMMDEV_HGCM_F_* */
	uint16_t first_offset;	/* of the data in pages[0] */
	uint16_t page_count;
	uint64_t pages[];	/* guest-physical, page-aligned */
} __packed __aligned(4);
VMMDEV_ASSERT_SIZE(struct vmmdev_hgcm_page_list, 8);

/* HGCMCancel2: the address of the call to cancel. */
struct vmmdev_hgcm_cancel2 {
	struct vmmdev_header header;
	uint32_t phys_req;
};
VMMDEV_ASSERT_SIZE(struct vmmdev_hgcm_cancel2, 28);

#endif /* VIREO_VMMDEV_H */
