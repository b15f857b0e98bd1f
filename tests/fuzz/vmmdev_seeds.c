// SPDX-License-Identifier: GPL-2.0
/*
 * Seeds for fuzz_vmmdev: one well-formed request of each kind it should
 * start from, written as files into the folder given.  Each input is the
 * prologue byte, then the request as fuzz_vmmdev places it at REQ; the
 * harness repeats the input over the pages from DATA on, so a page list
 * pointing at DATA + off finds the input's own bytes at off.
 */
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <vmmdev/guestprop.h>
#include <vmmdev/vmmdev.h>

#define DATA	0x40000u

static const char *dir;
static unsigned int nr;

static void put(unsigned int prologue, const void *req, size_t len)
{
	char path[4096];
	FILE *f;

	snprintf(path, sizeof(path), "%s/seed-%02u", dir, nr++);
	f = fopen(path, "wb");
	if (!f || fputc(prologue, f) == EOF || fwrite(req, 1, len, f) != len ||
	    fclose(f)) {
		perror(path);
		exit(1);
	}
}

static void header(void *buf, uint32_t type, uint32_t size)
{
	struct vmmdev_header h = {
		size, VMMDEV_REQUEST_VERSION, type, -1, 0, 0 };

	memset(buf, 0, size);
	memcpy(buf, &h, sizeof(h));
}

static void fixed(unsigned int prologue, uint32_t type, uint32_t size)
{
	uint8_t buf[256];

	header(buf, type, size);
	put(prologue, buf, size);
}

/* An HGCM call of the guest property service, its strings inside it. */
static void call(uint32_t fn, const char *kinds, const char *const *strs,
		 bool is64)
{
	uint8_t buf[1024];
	struct vmmdev_hgcm_call *c = (void *)buf;
	unsigned int n = strlen(kinds), i, psize = is64 ? 16 : 12;
	uint32_t extra = sizeof(*c) + n * psize, str_at = 700;

	header(buf, is64 ? VMMDEV_REQ_HGCM_CALL64 : VMMDEV_REQ_HGCM_CALL32,
	       sizeof(buf));
	c->client_id = 1;
	c->function = fn;
	c->parm_count = n;
	for (i = 0; i < n; i++) {
		uint8_t *p = buf + sizeof(*c) + i * psize;
		uint32_t type, a, b;
		struct vmmdev_hgcm_page_list pl = {
			VMMDEV_HGCM_F_BOTH, 0, 1 };
		uint64_t page = DATA;

		if (kinds[i] == 'l' || kinds[i] == 'q') {
			type = kinds[i] == 'l' ? VMMDEV_HGCM_PARM_32BIT :
			       VMMDEV_HGCM_PARM_64BIT;
			memcpy(p, &type, 4);
			continue;
		}
		/* 's': a string of strs[], 'b': 64 bytes for the host. */
		a = kinds[i] == 's' ? strlen(*strs) + 1 : 64;
		pl.first_offset = kinds[i] == 's' ? str_at : 900;
		if (kinds[i] == 's') {
			memcpy(buf + str_at, *strs++, a);
			str_at += a;
		}
		type = VMMDEV_HGCM_PARM_PAGELIST;
		b = extra;
		memcpy(p, &type, 4);
		memcpy(p + 4, &a, 4);
		memcpy(p + 8, &b, 4);
		memcpy(buf + extra, &pl, sizeof(pl));
		memcpy(buf + extra + sizeof(pl), &page, 8);
		extra += sizeof(pl) + 8;
	}
	put(2, buf, sizeof(buf));
}

int main(int argc, char **argv)
{
	static const char *const set[] = { "/Fuzz/A", "v", "TRANSIENT" };
	static const char *const get[] = { "/Fuzz/A" };
	static const char *const pat[] = { "/Fuzz/*" };
	uint8_t buf[256];
	struct vmmdev_hgcm_connect *c = (void *)buf;
	struct vmmdev_guest_info *gi = (void *)buf;
	struct vmmdev_hgcm_cancel2 *c2 = (void *)buf;

	if (argc != 2) {
		fprintf(stderr, "usage: vmmdev_seeds DIR\n");
		return 2;
	}
	dir = argv[1];
	fixed(0, VMMDEV_REQ_GET_HOST_VERSION, sizeof(struct vmmdev_host_version));
	fixed(0, VMMDEV_REQ_REPORT_GUEST_INFO2, sizeof(struct vmmdev_guest_info2));
	header(buf, VMMDEV_REQ_REPORT_GUEST_INFO, sizeof(*gi));
	gi->interface_version = VMMDEV_VERSION;
	put(0, buf, sizeof(*gi));
	fixed(1, VMMDEV_REQ_CTL_GUEST_FILTER_MASK, sizeof(struct vmmdev_mask));
	fixed(1, VMMDEV_REQ_ACKNOWLEDGE_EVENTS, sizeof(struct vmmdev_events));
	fixed(1, VMMDEV_REQ_HEARTBEAT_CONFIGURE, sizeof(struct vmmdev_heartbeat));
	fixed(1, VMMDEV_REQ_GET_HOST_TIME, sizeof(struct vmmdev_host_time));
	fixed(1, VMMDEV_REQ_REPORT_GUEST_STATUS, sizeof(struct vmmdev_guest_status));
	fixed(1, VMMDEV_REQ_GET_DISPLAY_CHANGE_MULTI, 32 + 28);
	fixed(1, VMMDEV_REQ_LOG_STRING, 40);
	header(buf, VMMDEV_REQ_HGCM_CONNECT, sizeof(*c));
	c->loc_type = VMMDEV_HGCM_LOC_LOCALHOST_EXISTING;
	strcpy(c->service, GUESTPROP_SERVICE);
	put(1, buf, sizeof(*c));
	header(buf, VMMDEV_REQ_HGCM_CANCEL2, sizeof(*c2));
	c2->phys_req = 0x1000;
	put(2, buf, sizeof(*c2));
	call(GUESTPROP_FN_SET, "sss", set, true);
	call(GUESTPROP_FN_SET_VALUE, "ss", set, false);
	call(GUESTPROP_FN_GET, "sbql", get, true);
	call(GUESTPROP_FN_DEL, "s", get, true);
	call(GUESTPROP_FN_ENUM, "sbl", pat, true);
	call(GUESTPROP_FN_WAIT, "sqbl", pat, true);
	call(GUESTPROP_FN_WAIT, "sqbl", pat, false);
	return 0;
}
