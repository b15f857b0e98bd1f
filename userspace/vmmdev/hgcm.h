/* SPDX-License-Identifier: GPL-2.0 */
/*
 * HGCM, the host/guest call manager of VMMDev: a guest connects to a host
 * service by name, gets a client id, and calls the service's functions
 * with typed parameters (docs/vmmdev.md).
 *
 * vmmdev_hgcm.c decodes a call once, from the device's copy of the
 * request: numbers are taken as they were, buffers are checked (page
 * lists inside the request, every page inside guest RAM) and then read
 * and written only through hgcm_buf_read()/hgcm_buf_write(), which go
 * through the guest-memory accessor.  A service sees struct hgcm_call,
 * never the wire.
 *
 * A service answers at once (a VirtualBox status), or keeps the call
 * (VINF_HGCM_ASYNC_EXECUTE) and finishes it later with hgcm_complete():
 * the parameters and result are written back, then the DONE flag, then
 * the HGCM event is raised, in that order.  A kept call ends by
 * completion, by the guest's cancel, or when its client goes (the guest
 * disconnects or resets): the service's cancel hook is told of the
 * latter two, and nothing is written back for them.
 */
#ifndef VIREO_HGCM_H
#define VIREO_HGCM_H

#include <stdbool.h>
#include <stdint.h>

#include <vmmdev/vmmdev.h>

struct vmmdev;
struct hgcm_call;

#define HGCM_MAX_CLIENTS	64	/* connected at once, over all services */
#define HGCM_MAX_PENDING	64	/* calls kept at once */
#define HGCM_MAX_PENDING_BYTES	(4u << 20)	/* ... and their copies */

enum hgcm_parm_kind {
	HGCM_PARM_U32,
	HGCM_PARM_U64,
	HGCM_PARM_BUF,
};

struct hgcm_parm {
	enum hgcm_parm_kind kind;
	uint32_t u32;
	uint64_t u64;
	/* A buffer: size bytes, readable and/or writable by the host. */
	struct {
		uint32_t size;
		bool to_host, from_host;
		/* Pages (guest-physical), or data inside the request. */
		uint32_t first_offset;
		uint32_t nr_pages;
		uint32_t pages_at;	/* offset of pages[] in the request */
		bool contiguous;	/* pages[0] onwards, in one run */
		bool embedded;
		uint32_t data_at;	/* offset of embedded data */
	} buf;
};

struct hgcm_client;

struct hgcm_service {
	const char *name;		/* as the guest connects to it */
	/* One instance per device: NULL on failure. */
	void *(*create)(struct vmmdev *vd);
	void (*destroy)(void *svc);
	/* The machine resets: every client is gone already. */
	void (*reset)(void *svc);
	int (*connect)(void *svc, uint32_t client_id);
	void (*disconnect)(void *svc, uint32_t client_id);
	/*
	 * A VirtualBox status, or VINF_HGCM_ASYNC_EXECUTE when the service
	 * keeps the call (and hgcm_complete()s or is told to cancel it).
	 */
	int (*call)(void *svc, struct hgcm_call *call);
	/* A kept call ends without an answer: forget it. */
	void (*cancel)(void *svc, struct hgcm_call *call);
};

struct hgcm_call {
	struct hgcm_call *next;		/* kept calls */
	struct vmmdev *vd;
	uint32_t gpa;			/* of the request */
	uint8_t *req;			/* the copy, req_size bytes */
	uint32_t req_size;
	bool is64;
	bool kept;
	uint32_t client_id;
	uint32_t function;
	uint32_t parm_count;
	struct hgcm_parm parm[VMMDEV_HGCM_MAX_PARMS];
	void *svc_data;			/* the service's, while kept */
};

struct hgcm {
	struct hgcm_client *clients;	/* HGCM_MAX_CLIENTS */
	uint32_t next_client_id;
	struct hgcm_call *pending;
	unsigned int nr_pending;
	uint64_t pending_bytes;
	void *svc[4];			/* an instance per hgcm_services[] */
	uint64_t calls, completed_async;
};

extern const struct hgcm_service *const hgcm_services[];
extern const unsigned int hgcm_nr_services;
/* Each service file defines its own. */
extern const struct hgcm_service guestprop_service;

int hgcm_init(struct vmmdev *vd);
void hgcm_reset(struct vmmdev *vd);
void hgcm_destroy(struct vmmdev *vd);

/* The HGCM requests, on the device's copy (vmmdev_req.c). */
int hgcm_connect(struct vmmdev *vd, uint32_t gpa, uint8_t *req);
int hgcm_disconnect(struct vmmdev *vd, uint32_t gpa, uint8_t *req);
/*
 * A call: VINF_SUCCESS (answered: result, parameters and DONE are in
 * the copy, for the caller to write back) or VINF_HGCM_ASYNC_EXECUTE
 * (kept: only rc goes back now), or an error for rc.
 */
int hgcm_call(struct vmmdev *vd, uint32_t gpa, uint8_t *req, uint32_t size,
	      bool is64);
int hgcm_cancel(struct vmmdev *vd, uint32_t gpa_of_call);

/* For services: a buffer parameter's bytes (0, or a VBox error). */
int hgcm_buf_read(struct hgcm_call *call, unsigned int i, uint32_t off,
		  void *dst, uint32_t len);
int hgcm_buf_write(struct hgcm_call *call, unsigned int i, uint32_t off,
		   const void *src, uint32_t len);
/*
 * A NUL-terminated string of at most max bytes (with the NUL) in buffer
 * parameter i, into dst (max bytes): 0, or VERR_INVALID_PARAMETER (not a
 * buffer, no NUL within its size) or VERR_TOO_MUCH_DATA (too long).
 */
int hgcm_buf_string(struct hgcm_call *call, unsigned int i, char *dst,
		    uint32_t max);
/* Finish a kept call with result (the service's status). */
void hgcm_complete(struct hgcm_call *call, int result);

#endif /* VIREO_HGCM_H */
