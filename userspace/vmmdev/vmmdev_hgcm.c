// SPDX-License-Identifier: GPL-2.0
/*
 * HGCM (hgcm.h): clients, calls and their parameters, kept calls and
 * their completion.  A call's parameters are decoded once from the
 * device's copy of the request; every buffer is checked before a service
 * sees it: page lists inside the request after the parameters, valid
 * directions, the data within its pages, every page in guest RAM
 * (writable RAM when the host is to write it).  Buffers named by guest
 * virtual address (LinAddr) cannot be reached from the host, which does
 * not walk the guest's page tables: only empty ones are taken, which is
 * all Linux's driver sends (it turns every other buffer into a page
 * list).
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include <vmmdev/vbox_status.h>

#include "guest_mem.h"
#include "machine.h"
#include "util.h"
#include "vmmdev_dev.h"

const struct hgcm_service *const hgcm_services[] = {
	&guestprop_service,
};
const unsigned int hgcm_nr_services = ARRAY_SIZE(hgcm_services);

struct hgcm_client {
	uint32_t id;			/* 0: a free slot */
	unsigned int svc;		/* in hgcm_services[] */
	unsigned int pending;		/* its calls kept */
};

#define PAGE_MASK_4K	(VMMDEV_HGCM_PAGE_SIZE - 1)

int hgcm_init(struct vmmdev *vd)
{
	struct hgcm *h = &vd->hgcm;
	unsigned int i;

	static_assert(ARRAY_SIZE(hgcm_services) <= ARRAY_SIZE(h->svc),
		      "room for every service");
	h->clients = calloc(HGCM_MAX_CLIENTS, sizeof(*h->clients));
	if (!h->clients)
		return -ENOMEM;
	h->next_client_id = 1;
	for (i = 0; i < hgcm_nr_services; i++) {
		h->svc[i] = hgcm_services[i]->create(vd);
		if (!h->svc[i])
			return -ENOMEM;
	}
	return 0;
}

static struct hgcm_client *client_find(struct hgcm *h, uint32_t id)
{
	unsigned int i;

	for (i = 0; id && i < HGCM_MAX_CLIENTS; i++)
		if (h->clients[i].id == id)
			return &h->clients[i];
	return NULL;
}

static void call_free(struct hgcm_call *call)
{
	free(call->req);
	free(call);
}

/* Take a kept call off the list: the caller completes or drops it. */
static void pending_remove(struct hgcm *h, struct hgcm_call *call)
{
	struct hgcm_call **pp;
	struct hgcm_client *cl;

	for (pp = &h->pending; *pp; pp = &(*pp)->next) {
		if (*pp != call)
			continue;
		*pp = call->next;
		h->nr_pending--;
		h->pending_bytes -= call->req_size;
		cl = client_find(h, call->client_id);
		if (cl)
			cl->pending--;
		return;
	}
}

/* Drop kept calls, of one client (or all: 0), writing nothing back. */
static void drop_calls(struct vmmdev *vd, uint32_t client_id)
{
	struct hgcm *h = &vd->hgcm;
	struct hgcm_call *call, *next;

	for (call = h->pending; call; call = next) {
		struct hgcm_client *cl = client_find(h, call->client_id);

		next = call->next;
		if (client_id && call->client_id != client_id)
			continue;
		pending_remove(h, call);
		if (cl)
			hgcm_services[cl->svc]->cancel(h->svc[cl->svc], call);
		call_free(call);
	}
}

static void client_drop(struct vmmdev *vd, struct hgcm_client *cl)
{
	struct hgcm *h = &vd->hgcm;

	drop_calls(vd, cl->id);
	hgcm_services[cl->svc]->disconnect(h->svc[cl->svc], cl->id);
	cl->id = 0;
}

void hgcm_reset(struct vmmdev *vd)
{
	struct hgcm *h = &vd->hgcm;
	unsigned int i;

	for (i = 0; i < HGCM_MAX_CLIENTS; i++)
		if (h->clients[i].id)
			client_drop(vd, &h->clients[i]);
	/* No client is left to confuse with a new one: count afresh. */
	h->next_client_id = 1;
	for (i = 0; i < hgcm_nr_services; i++)
		if (hgcm_services[i]->reset)
			hgcm_services[i]->reset(h->svc[i]);
}

void hgcm_destroy(struct vmmdev *vd)
{
	struct hgcm *h = &vd->hgcm;
	unsigned int i;

	if (h->clients)
		hgcm_reset(vd);
	for (i = 0; i < hgcm_nr_services; i++)
		if (h->svc[i])
			hgcm_services[i]->destroy(h->svc[i]);
	free(h->clients);
	h->clients = NULL;
}

/* An answer at once: the service's result and DONE, in the copy. */
static int answer(struct vmmdev_hgcm_header *hdr, int result)
{
	hdr->result = result;
	hdr->flags |= VMMDEV_HGCM_REQ_DONE;
	return VINF_SUCCESS;
}

int hgcm_connect(struct vmmdev *vd, uint32_t gpa, uint8_t *req)
{
	struct vmmdev_hgcm_connect *q = (void *)req;
	struct hgcm *h = &vd->hgcm;
	struct hgcm_client *cl = NULL;
	unsigned int i, svc;
	int rc;

	vd->filter |= VMMDEV_EVENT_HGCM;
	if (q->loc_type != VMMDEV_HGCM_LOC_LOCALHOST_EXISTING &&
	    q->loc_type != VMMDEV_HGCM_LOC_LOCALHOST_EXISTING - 1)
		return VERR_INVALID_PARAMETER;
	if (strnlen(q->service, sizeof(q->service)) == sizeof(q->service))
		return VERR_INVALID_PARAMETER;
	for (svc = 0; svc < hgcm_nr_services; svc++)
		if (!strcmp(hgcm_services[svc]->name, q->service))
			break;
	if (svc == hgcm_nr_services)
		return answer(&q->hdr, VERR_HGCM_SERVICE_NOT_FOUND);
	for (i = 0; i < HGCM_MAX_CLIENTS && !cl; i++)
		if (!h->clients[i].id)
			cl = &h->clients[i];
	if (!cl)
		return answer(&q->hdr, VERR_HGCM_TOO_MANY_CLIENTS);
	/* Ids are not reused soon: a stale one names no one. */
	while (!h->next_client_id || client_find(h, h->next_client_id))
		h->next_client_id++;
	rc = hgcm_services[svc]->connect(h->svc[svc], h->next_client_id);
	if (rc < 0)
		return answer(&q->hdr, rc);
	*cl = (struct hgcm_client) { .id = h->next_client_id++, .svc = svc };
	q->client_id = cl->id;
	return answer(&q->hdr, VINF_SUCCESS);
}

int hgcm_disconnect(struct vmmdev *vd, uint32_t gpa, uint8_t *req)
{
	struct vmmdev_hgcm_disconnect *q = (void *)req;
	struct hgcm_client *cl = client_find(&vd->hgcm, q->client_id);

	if (!cl)
		return answer(&q->hdr, VERR_HGCM_INVALID_CLIENT_ID);
	client_drop(vd, cl);
	return answer(&q->hdr, VINF_SUCCESS);
}

/* The wire parameter i, in either width, as (type, a, b). */
static void parm_raw(const uint8_t *req, bool is64, unsigned int i,
		     uint32_t *type, uint32_t *a, uint64_t *b)
{
	const uint8_t *p = req + sizeof(struct vmmdev_hgcm_call) +
			   i * (is64 ? 16 : 12);
	uint32_t b32;

	memcpy(type, p, 4);
	memcpy(a, p + 4, 4);
	if (is64) {
		memcpy(b, p + 8, 8);
	} else {
		memcpy(&b32, p + 8, 4);
		*b = b32;
	}
}

static uint64_t parm_value64(const uint8_t *req, bool is64, unsigned int i)
{
	const uint8_t *p = req + sizeof(struct vmmdev_hgcm_call) +
			   i * (is64 ? 16 : 12);
	uint64_t v;

	memcpy(&v, p + 4, 8);
	return v;
}

static bool dir_valid(uint32_t flags)
{
	return flags && !(flags & ~VMMDEV_HGCM_F_BOTH);
}

/* Every page of a page list in guest RAM (RAM only when written). */
static int check_pages(struct vmmdev *vd, const uint8_t *req,
		       struct hgcm_parm *p)
{
	const struct guest_mem *gm = vd->m->mem;
	uint32_t i;

	if (p->buf.contiguous) {
		uint64_t start;

		memcpy(&start, req + p->buf.pages_at, 8);
		if (start & PAGE_MASK_4K)
			return VERR_INVALID_PARAMETER;
		if (p->buf.size &&
		    !guest_mem_ptr(gm, start + p->buf.first_offset,
				   p->buf.size, p->buf.from_host))
			return VERR_INVALID_POINTER;
		return VINF_SUCCESS;
	}
	for (i = 0; i < p->buf.nr_pages; i++) {
		uint64_t page;

		memcpy(&page, req + p->buf.pages_at + 8 * i, 8);
		if (page & PAGE_MASK_4K)
			return VERR_INVALID_PARAMETER;
		if (!guest_mem_ptr(gm, page, VMMDEV_HGCM_PAGE_SIZE,
				   p->buf.from_host))
			return VERR_INVALID_POINTER;
	}
	return VINF_SUCCESS;
}

static int decode_page_list(struct vmmdev *vd, const uint8_t *req,
			    uint32_t req_size, uint32_t parms_end,
			    uint32_t type, uint32_t size, uint32_t offset,
			    struct hgcm_parm *p)
{
	struct vmmdev_hgcm_page_list info;
	uint64_t room;

	if (offset < parms_end || offset > req_size ||
	    req_size - offset < sizeof(info))
		return VERR_INVALID_PARAMETER;
	memcpy(&info, req + offset, sizeof(info));
	if (!dir_valid(info.flags))
		return VERR_INVALID_FLAGS;
	if (info.first_offset >= VMMDEV_HGCM_PAGE_SIZE || !info.page_count ||
	    (req_size - offset - sizeof(info)) / 8 < info.page_count)
		return VERR_INVALID_PARAMETER;
	room = (uint64_t)info.page_count * VMMDEV_HGCM_PAGE_SIZE -
	       info.first_offset;
	if (size > room)
		return VERR_INVALID_PARAMETER;
	if (type == VMMDEV_HGCM_PARM_CONTIGUOUS_PAGELIST &&
	    info.page_count != 1)
		return VERR_INVALID_PARAMETER;
	if (type == VMMDEV_HGCM_PARM_NO_BOUNCE_PAGELIST &&
	    info.page_count != (info.first_offset + (uint64_t)size +
				PAGE_MASK_4K) / VMMDEV_HGCM_PAGE_SIZE)
		return VERR_INVALID_PARAMETER;
	p->kind = HGCM_PARM_BUF;
	p->buf.size = size;
	p->buf.to_host = info.flags & VMMDEV_HGCM_F_TO_HOST;
	p->buf.from_host = info.flags & VMMDEV_HGCM_F_FROM_HOST;
	p->buf.first_offset = info.first_offset;
	p->buf.nr_pages = info.page_count;
	p->buf.pages_at = offset + sizeof(info);
	p->buf.contiguous = type == VMMDEV_HGCM_PARM_CONTIGUOUS_PAGELIST;
	return check_pages(vd, req, p);
}

static int decode_embedded(uint32_t req_size, uint32_t parms_end,
			   uint32_t flags_offset, uint32_t size,
			   struct hgcm_parm *p)
{
	uint32_t flags = VMMDEV_HGCM_EMBEDDED_FLAGS(flags_offset);
	uint32_t at = VMMDEV_HGCM_EMBEDDED_OFFSET(flags_offset);

	if (!dir_valid(flags))
		return VERR_INVALID_FLAGS;
	if (at < parms_end || at > req_size || req_size - at < size)
		return VERR_INVALID_PARAMETER;
	p->kind = HGCM_PARM_BUF;
	p->buf.size = size;
	p->buf.to_host = flags & VMMDEV_HGCM_F_TO_HOST;
	p->buf.from_host = flags & VMMDEV_HGCM_F_FROM_HOST;
	p->buf.embedded = true;
	p->buf.data_at = at;
	return VINF_SUCCESS;
}

/* A buffer named by address: only an empty one means anything here. */
static int decode_empty(uint32_t type, uint32_t size, struct hgcm_parm *p)
{
	if (size)
		return VERR_NOT_SUPPORTED;
	p->kind = HGCM_PARM_BUF;
	p->buf.to_host = type != VMMDEV_HGCM_PARM_LINADDR_OUT &&
			 type != VMMDEV_HGCM_PARM_LINADDR_KERNEL_OUT;
	p->buf.from_host = type != VMMDEV_HGCM_PARM_LINADDR_IN &&
			   type != VMMDEV_HGCM_PARM_LINADDR_KERNEL_IN;
	return VINF_SUCCESS;
}

static int decode_parms(struct vmmdev *vd, struct hgcm_call *call)
{
	uint32_t parms_end = sizeof(struct vmmdev_hgcm_call) +
			     call->parm_count * (call->is64 ? 16 : 12);
	uint64_t total = 0;
	unsigned int i;

	for (i = 0; i < call->parm_count; i++) {
		struct hgcm_parm *p = &call->parm[i];
		uint32_t type, a;
		uint64_t b;
		int rc;

		parm_raw(call->req, call->is64, i, &type, &a, &b);
		memset(p, 0, sizeof(*p));
		switch (type) {
		case VMMDEV_HGCM_PARM_32BIT:
			p->kind = HGCM_PARM_U32;
			p->u32 = a;
			continue;
		case VMMDEV_HGCM_PARM_64BIT:
			p->kind = HGCM_PARM_U64;
			p->u64 = parm_value64(call->req, call->is64, i);
			continue;
		case VMMDEV_HGCM_PARM_LINADDR:
		case VMMDEV_HGCM_PARM_LINADDR_IN:
		case VMMDEV_HGCM_PARM_LINADDR_OUT:
		case VMMDEV_HGCM_PARM_LINADDR_KERNEL:
		case VMMDEV_HGCM_PARM_LINADDR_KERNEL_IN:
		case VMMDEV_HGCM_PARM_LINADDR_KERNEL_OUT:
			rc = decode_empty(type, a, p);
			break;
		case VMMDEV_HGCM_PARM_PAGELIST:
		case VMMDEV_HGCM_PARM_CONTIGUOUS_PAGELIST:
		case VMMDEV_HGCM_PARM_NO_BOUNCE_PAGELIST:
			rc = decode_page_list(vd, call->req, call->req_size,
					      parms_end, type, a, (uint32_t)b,
					      p);
			break;
		case VMMDEV_HGCM_PARM_EMBEDDED:
			rc = decode_embedded(call->req_size, parms_end, a,
					     (uint32_t)b, p);
			break;
		case VMMDEV_HGCM_PARM_PHYSADDR:
			rc = VERR_NOT_SUPPORTED;
			break;
		default:
			rc = VERR_INVALID_PARAMETER;
			break;
		}
		if (rc != VINF_SUCCESS) {
			vmmdev_log_error(vd, "HGCM call parameter %u of type %u: %s",
					 i, type, vbox_status_name(rc));
			return rc;
		}
		total += p->buf.size;
		if (total > VMMDEV_HGCM_MAX_DATA)
			return VERR_INVALID_PARAMETER;
	}
	return VINF_SUCCESS;
}

/* The numbers a service changed, back into the copy of the request. */
static void encode_values(struct hgcm_call *call)
{
	unsigned int i;

	for (i = 0; i < call->parm_count; i++) {
		uint8_t *p = call->req + sizeof(struct vmmdev_hgcm_call) +
			     i * (call->is64 ? 16 : 12);

		if (call->parm[i].kind == HGCM_PARM_U32)
			memcpy(p + 4, &call->parm[i].u32, 4);
		else if (call->parm[i].kind == HGCM_PARM_U64)
			memcpy(p + 4, &call->parm[i].u64, 8);
	}
}

/*
 * The service keeps the call: it gets a copy of its own, within the
 * limits, so that the device's buffer is free for the next request.
 */
static int keep(struct vmmdev *vd, struct hgcm_call *call,
		struct hgcm_client *cl)
{
	struct hgcm *h = &vd->hgcm;
	uint8_t *copy;

	if (h->nr_pending >= HGCM_MAX_PENDING ||
	    h->pending_bytes + call->req_size > HGCM_MAX_PENDING_BYTES)
		return VERR_HGCM_TOO_MANY_CLIENT_CALLS;
	copy = malloc(call->req_size);
	if (!copy)
		return VERR_NO_MEMORY;
	memcpy(copy, call->req, call->req_size);
	call->req = copy;
	call->kept = true;
	call->next = h->pending;
	h->pending = call;
	h->nr_pending++;
	h->pending_bytes += call->req_size;
	cl->pending++;
	return VINF_HGCM_ASYNC_EXECUTE;
}

int hgcm_call(struct vmmdev *vd, uint32_t gpa, uint8_t *req, uint32_t size,
	      bool is64)
{
	struct vmmdev_hgcm_call *q = (void *)req;
	struct hgcm_client *cl;
	struct hgcm_call *call;
	const struct hgcm_service *svc;
	int rc;

	vd->filter |= VMMDEV_EVENT_HGCM;
	vd->hgcm.calls++;
	if (q->parm_count > VMMDEV_HGCM_MAX_PARMS ||
	    q->parm_count > (size - sizeof(*q)) / (is64 ? 16 : 12))
		return VERR_INVALID_PARAMETER;
	cl = client_find(&vd->hgcm, q->client_id);
	if (!cl)
		return answer(&q->hdr, VERR_HGCM_INVALID_CLIENT_ID);
	call = calloc(1, sizeof(*call));
	if (!call)
		return VERR_NO_MEMORY;
	*call = (struct hgcm_call) {
		.vd = vd, .gpa = gpa, .req = req, .req_size = size,
		.is64 = is64, .client_id = q->client_id,
		.function = q->function, .parm_count = q->parm_count,
	};
	rc = decode_parms(vd, call);
	if (rc != VINF_SUCCESS) {
		free(call);
		return rc;
	}
	svc = hgcm_services[cl->svc];
	rc = svc->call(vd->hgcm.svc[cl->svc], call);
	if (rc == VINF_HGCM_ASYNC_EXECUTE) {
		rc = keep(vd, call, cl);
		if (rc == VINF_HGCM_ASYNC_EXECUTE)
			return rc;
		svc->cancel(vd->hgcm.svc[cl->svc], call);
	}
	encode_values(call);
	free(call);
	return answer(&q->hdr, rc);
}

void hgcm_complete(struct hgcm_call *call, int result)
{
	struct vmmdev *vd = call->vd;
	const struct guest_mem *gm = vd->m->mem;
	struct vmmdev_hgcm_header *hdr = (void *)call->req;
	uint32_t flags;

	pending_remove(&vd->hgcm, call);
	encode_values(call);
	hdr->header.rc = VINF_HGCM_ASYNC_EXECUTE;
	hdr->result = result;
	hdr->flags &= ~VMMDEV_HGCM_REQ_DONE;
	flags = hdr->flags | VMMDEV_HGCM_REQ_DONE;
	/* The answer first, DONE after it, then the event. */
	if (guest_mem_write(gm, call->gpa, call->req, call->req_size) ||
	    guest_mem_write(gm, call->gpa +
			    offsetof(struct vmmdev_hgcm_header, flags),
			    &flags, sizeof(flags)))
		vmmdev_log_error(vd, "HGCM call at %#x: cannot write back",
				 call->gpa);
	vd->hgcm.completed_async++;
	call_free(call);
	vmmdev_raise(vd, VMMDEV_EVENT_HGCM);
}

int hgcm_cancel(struct vmmdev *vd, uint32_t gpa)
{
	struct hgcm *h = &vd->hgcm;
	struct hgcm_call *call;

	for (call = h->pending; call; call = call->next) {
		struct hgcm_client *cl = client_find(h, call->client_id);

		if (call->gpa != gpa)
			continue;
		pending_remove(h, call);
		if (cl)
			hgcm_services[cl->svc]->cancel(h->svc[cl->svc], call);
		call_free(call);
		return VINF_SUCCESS;
	}
	return VERR_NOT_FOUND;
}

/* Where buffer parameter i's bytes [off, off + len) are, checked. */
static struct hgcm_parm *buf_parm(struct hgcm_call *call, unsigned int i,
				  uint32_t off, uint32_t len, bool write)
{
	struct hgcm_parm *p;

	if (i >= call->parm_count)
		return NULL;
	p = &call->parm[i];
	if (p->kind != HGCM_PARM_BUF || (write ? !p->buf.from_host :
					 !p->buf.to_host))
		return NULL;
	if (off > p->buf.size || p->buf.size - off < len)
		return NULL;
	return p;
}

static int buf_copy(struct hgcm_call *call, struct hgcm_parm *p, uint32_t off,
		    void *host, uint32_t len, bool write)
{
	const struct guest_mem *gm = call->vd->m->mem;
	uint64_t pos = (uint64_t)p->buf.first_offset + off;
	uint8_t *b = host;

	if (p->buf.embedded) {
		uint8_t *at = call->req + p->buf.data_at + off;

		memcpy(write ? at : b, write ? b : at, len);
		return VINF_SUCCESS;
	}
	while (len) {
		uint64_t page, gpa;
		uint32_t idx = pos / VMMDEV_HGCM_PAGE_SIZE, n;
		int err;

		if (p->buf.contiguous) {
			memcpy(&page, call->req + p->buf.pages_at, 8);
			gpa = page + pos;
			n = len;
		} else {
			memcpy(&page, call->req + p->buf.pages_at + 8 * idx,
			       8);
			gpa = page + (pos & PAGE_MASK_4K);
			n = VMMDEV_HGCM_PAGE_SIZE - (pos & PAGE_MASK_4K);
			if (n > len)
				n = len;
		}
		err = write ? guest_mem_write(gm, gpa, b, n) :
			      guest_mem_read(gm, gpa, b, n);
		if (err)
			return VERR_INVALID_POINTER;
		b += n;
		pos += n;
		len -= n;
	}
	return VINF_SUCCESS;
}

int hgcm_buf_read(struct hgcm_call *call, unsigned int i, uint32_t off,
		  void *dst, uint32_t len)
{
	struct hgcm_parm *p = buf_parm(call, i, off, len, false);

	return p ? buf_copy(call, p, off, dst, len, false) :
		   VERR_INVALID_PARAMETER;
}

int hgcm_buf_write(struct hgcm_call *call, unsigned int i, uint32_t off,
		   const void *src, uint32_t len)
{
	struct hgcm_parm *p = buf_parm(call, i, off, len, true);

	return p ? buf_copy(call, p, off, (void *)src, len, true) :
		   VERR_INVALID_PARAMETER;
}

int hgcm_buf_string(struct hgcm_call *call, unsigned int i, char *dst,
		    uint32_t max)
{
	struct hgcm_parm *p;
	uint32_t len;
	int rc;

	if (i >= call->parm_count || call->parm[i].kind != HGCM_PARM_BUF ||
	    !call->parm[i].buf.size)
		return VERR_INVALID_PARAMETER;
	p = &call->parm[i];
	len = p->buf.size < max ? p->buf.size : max;
	rc = hgcm_buf_read(call, i, 0, dst, len);
	if (rc != VINF_SUCCESS)
		return rc;
	if (memchr(dst, '\0', len))
		return VINF_SUCCESS;
	return p->buf.size > max ? VERR_TOO_MUCH_DATA : VERR_INVALID_PARAMETER;
}
