// SPDX-License-Identifier: GPL-2.0
/*
 * VMMDev on the host, through its PCI BARs as a guest reaches it: the
 * identity and BARs, the VMMDevMemory page, request checks (size,
 * version, type, order, guest RAM), events and the interrupt, the
 * heartbeat, HGCM (connect, calls with page lists and embedded buffers,
 * malformed parameters, kept calls completed and cancelled) and the
 * guest property service's rules, from the guest's side and the host's.
 */
#include <errno.h>
#include <pthread.h>
#include <linux/pci_regs.h>
#include <stdlib.h>
#include <string.h>

#include <vmmdev/guestprop.h>
#include <vmmdev/vbox_status.h>
#include <vmmdev/vmmdev.h>

#include "additions.h"
#include "devices.h"
#include "fake_platform.h"
#include "guest_mem.h"
#include "machine.h"
#include "patterns.h"
#include "pci/pci.h"
#include "tap.h"
#include "vmmdev_dev.h"

#define RAM_SIZE	(4u << 20)
#define ROM_GPA		0xf0000000u
#define ROM_SIZE	0x10000u
#define BAR0		0xc000u
#define BAR1		0xe0000000u
#define REQ		0x1000u		/* where requests are built */
#define REQ2		0x8000u
#define DATA		0x100000u	/* buffers the calls point at */

static struct machine m;
static struct guest_mem gm;
static uint8_t *ram, *rom;
static unsigned int slot;
static int exits;

static void fake_exit(struct machine *mm, int status)
{
	exits++;
}

static void *at(uint32_t gpa)
{
	return ram + gpa;
}

static void submit(uint32_t gpa)
{
	bus_write(&m.pio, BAR0, 4, gpa);
}

static struct vmmdev_header *hdr(uint32_t gpa, uint32_t type, uint32_t size)
{
	struct vmmdev_header *h = at(gpa);

	memset(h, 0, size);
	h->size = size;
	h->version = VMMDEV_REQUEST_VERSION;
	h->type = type;
	h->rc = VERR_GENERAL_FAILURE;
	return h;
}

/* A fixed-size request: its rc. */
static int simple(uint32_t type, uint32_t size)
{
	struct vmmdev_header *h = hdr(REQ, type, size);

	submit(REQ);
	return h->rc;
}

static bool irq(void)
{
	return fake_gsi_level(pci_irq_gsi(slot, 1));
}

static uint8_t have_events(void)
{
	uint64_t v = 0;

	bus_read(&m.mmio, BAR1 + 8, 1, &v);
	return (uint8_t)v;
}

static void program_bars(void);

static void setup(void)
{
	unsigned int s;

	/* A page past the guest's RAM: the host must never touch it. */
	ram = calloc(1, RAM_SIZE + 0x1000);
	rom = calloc(1, ROM_SIZE);
	gm.nr = 2;
	gm.r[0] = (struct guest_mem_region) { 0, RAM_SIZE, ram, true };
	gm.r[1] = (struct guest_mem_region) { ROM_GPA, ROM_SIZE, rom, false };
	machine_init(&m, -1);
	m.request_exit = fake_exit;
	m.evloop = fake_evloop();
	m.mem = &gm;
	m.ram_size = RAM_SIZE;
	is_int(devices_init(&m, NULL), 0, "the machine with VMMDev is made");
	for (s = 0; s < PCI_SLOTS; s++)
		if (pci_config_read(&m, 0, s, 0, PCI_VENDOR_ID, 4) ==
		    ((uint32_t)VMMDEV_DEVICE_ID << 16 | VMMDEV_VENDOR_ID))
			break;
	slot = s;
	ok(s < PCI_SLOTS, "80ee:cafe is on the bus (slot %u)", s);
	program_bars();
}

/* As firmware or the guest's kernel does, after power-on and resets. */
static void program_bars(void)
{
	pci_config_write(&m, 0, slot, 0, PCI_BASE_ADDRESS_0, 4, BAR0);
	pci_config_write(&m, 0, slot, 0, PCI_BASE_ADDRESS_1, 4, BAR1);
	pci_config_write(&m, 0, slot, 0, PCI_COMMAND, 2,
			 PCI_COMMAND_IO | PCI_COMMAND_MEMORY);
}

static void test_identity(void)
{
	uint32_t v;
	uint64_t mem = 0;

	is_int(pci_config_read(&m, 0, slot, 0, PCI_CLASS_REVISION, 4) >> 8,
	       VMMDEV_CLASS, "class 08/80");
	is_int(pci_config_read(&m, 0, slot, 0, PCI_INTERRUPT_PIN, 1), 1,
	       "INTA");
	pci_config_write(&m, 0, slot, 0, PCI_BASE_ADDRESS_0, 4, ~0u);
	v = pci_config_read(&m, 0, slot, 0, PCI_BASE_ADDRESS_0, 4);
	is_int(v & 0xffe1, 0xffe1, "BAR0: 32 I/O ports");
	pci_config_write(&m, 0, slot, 0, PCI_BASE_ADDRESS_0, 4, BAR0);
	pci_config_write(&m, 0, slot, 0, PCI_BASE_ADDRESS_1, 4, ~0u);
	v = pci_config_read(&m, 0, slot, 0, PCI_BASE_ADDRESS_1, 4);
	is_int(v, 0xffc00000, "BAR1: 4 MiB of 32-bit memory");
	pci_config_write(&m, 0, slot, 0, PCI_BASE_ADDRESS_1, 4, BAR1);
	bus_read(&m.mmio, BAR1, 4, &mem);
	is_int(mem, 32, "VMMDevMemory says size 32 (Linux wants >= 32)");
	bus_read(&m.mmio, BAR1 + 4, 4, &mem);
	is_int(mem, VMMDEV_MEMORY_VERSION, "... version 1");
	ok(m.additions != NULL, "the additions' channel is in the machine");
}

static void test_before_info(void)
{
	struct vmmdev_host_version *hv;
	uint64_t v = 0;

	hv = (void *)hdr(REQ, VMMDEV_REQ_GET_HOST_VERSION, sizeof(*hv));
	submit(REQ);
	is_int(hv->header.rc, VINF_SUCCESS, "GetHostVersion before the guest's info");
	ok(hv->features & VMMDEV_HVF_HGCM_PHYS_PAGE_LIST,
	   "... advertises HGCM page lists (features %#x)", hv->features);
	is_int(simple(VMMDEV_REQ_CTL_GUEST_FILTER_MASK,
		      sizeof(struct vmmdev_mask)), VERR_NOT_SUPPORTED,
	       "other requests wait for ReportGuestInfo: VERR_NOT_SUPPORTED");
	bus_read(&m.pio, BAR0 + 8, 4, &v);
	is_int(v, 0xffffffff, "the fast acknowledge reads ones until then");
}

static void test_header_checks(void)
{
	struct vmmdev_header *h;

	h = hdr(REQ, VMMDEV_REQ_GET_HOST_TIME, sizeof(struct vmmdev_host_time));
	h->size = 20;
	submit(REQ);
	is_int(h->rc, VERR_GENERAL_FAILURE, "a size under 24: left alone");
	h->size = sizeof(struct vmmdev_host_time);
	h->version = 0x10002;
	submit(REQ);
	is_int(h->rc, VERR_GENERAL_FAILURE, "a wrong version: left alone");
	h->version = VMMDEV_REQUEST_VERSION;
	h->size = VMMDEV_MAX_REQUEST_SIZE + 1;
	submit(REQ);
	is_int(h->rc, VERR_NOT_SUPPORTED, "over 1 MiB: VERR_NOT_SUPPORTED");
	h->size = 0x10000;
	h->type = VMMDEV_REQ_GET_HOST_VERSION;
	submit(REQ);
	is_int(h->rc, VERR_INVALID_PARAMETER, "a fixed-size request with another size: VERR_INVALID_PARAMETER");
	is_int(simple(9999, 24), VERR_NOT_IMPLEMENTED,
	       "an unknown type: VERR_NOT_IMPLEMENTED");
	h = hdr(RAM_SIZE - 24, VMMDEV_REQ_GET_HOST_VERSION, 40);
	memset(ram + RAM_SIZE, 0x5a, 16);
	submit(RAM_SIZE - 24);
	is_int(h->rc, VERR_INVALID_POINTER,
	       "a request running past RAM: VERR_INVALID_POINTER");
	ok(ram[RAM_SIZE] == 0x5a && ram[RAM_SIZE + 15] == 0x5a,
	   "... and the bytes past RAM are untouched");
	submit(RAM_SIZE + 0x1000);
	submit(0xfffffff0);
	submit(ROM_GPA);
	ok(1, "requests outside RAM or in ROM: nothing written, the VM goes on");
}

static void test_guest_info(void)
{
	struct vmmdev_guest_info *gi;
	struct vmmdev_guest_info2 *g2;

	g2 = (void *)hdr(REQ, VMMDEV_REQ_REPORT_GUEST_INFO2, sizeof(*g2));
	g2->major = 6;
	snprintf(g2->name, sizeof(g2->name), "6.0.0");
	submit(REQ);
	is_int(g2->header.rc, VINF_SUCCESS, "ReportGuestInfo2 6.0.0");
	g2 = (void *)hdr(REQ, VMMDEV_REQ_REPORT_GUEST_INFO2, sizeof(*g2));
	g2->major = 6;
	memset(g2->name, 'x', sizeof(g2->name));
	submit(REQ);
	is_int(g2->header.rc, VERR_INVALID_PARAMETER, "... an unterminated name is refused");
	gi = (void *)hdr(REQ, VMMDEV_REQ_REPORT_GUEST_INFO, sizeof(*gi));
	gi->interface_version = 0x00020000;
	submit(REQ);
	is_int(gi->header.rc, VERR_VERSION_MISMATCH, "interface 2.0: VERR_VERSION_MISMATCH");
	gi = (void *)hdr(REQ, VMMDEV_REQ_REPORT_GUEST_INFO, sizeof(*gi));
	gi->interface_version = VMMDEV_VERSION;
	gi->os_type = VMMDEV_OSTYPE_LINUX26 | VMMDEV_OSTYPE_X64;
	submit(REQ);
	is_int(gi->header.rc, VINF_SUCCESS, "interface 1.4: accepted");
}

static void test_events(void)
{
	struct device *dev = device_find(&m, dev_class_find("vmmdev"), 0);
	struct vmmdev *vd = dev->state;
	struct vmmdev_mask *mk;
	struct vmmdev_events *ack;
	uint64_t v = 0;

	vmmdev_raise(vd, VMMDEV_EVENT_DISPLAY_CHANGE_REQUEST);
	ok(!irq() && !have_events(), "an event the filter hides: line low");
	mk = (void *)hdr(REQ, VMMDEV_REQ_CTL_GUEST_FILTER_MASK, sizeof(*mk));
	mk->or_mask = VMMDEV_EVENT_DISPLAY_CHANGE_REQUEST;
	submit(REQ);
	ok(irq() && have_events() == 1,
	   "the filter opened: line high, have_events set");
	ack = (void *)hdr(REQ, VMMDEV_REQ_ACKNOWLEDGE_EVENTS, sizeof(*ack));
	submit(REQ);
	is_int(ack->events, VMMDEV_EVENT_DISPLAY_CHANGE_REQUEST,
	       "AcknowledgeEvents returns the event");
	ok(!irq() && !have_events(), "... and lowers the line and the flag");
	vmmdev_raise(vd, VMMDEV_EVENT_DISPLAY_CHANGE_REQUEST);
	bus_read(&m.pio, BAR0 + 8, 4, &v);
	ok(v == VMMDEV_EVENT_DISPLAY_CHANGE_REQUEST && !irq(),
	   "the fast acknowledge at BAR0+8 does the same");
	mk = (void *)hdr(REQ, VMMDEV_REQ_CTL_GUEST_FILTER_MASK, sizeof(*mk));
	mk->not_mask = ~0u;
	submit(REQ);
	ok(!(vd->filter & ~VMMDEV_EVENT_HGCM), "the filter closed again");
}

static void test_heartbeat(void)
{
	struct vmmdev_heartbeat *hb;
	struct device *dev = device_find(&m, dev_class_find("vmmdev"), 0);
	struct vmmdev *vd = dev->state;

	hb = (void *)hdr(REQ, VMMDEV_REQ_HEARTBEAT_CONFIGURE, sizeof(*hb));
	hb->enabled = 1;
	submit(REQ);
	ok(hb->header.rc == VINF_SUCCESS &&
	   hb->interval_ns == VMMDEV_HEARTBEAT_INTERVAL_NS,
	   "HeartbeatConfigure: every 2 s");
	fake_clock_advance(3000000000ULL);
	is_int(simple(VMMDEV_REQ_GUEST_HEARTBEAT, 24), VINF_SUCCESS, "a beat");
	fake_clock_advance(3000000000ULL);
	ok(!vd->hb_flatlined, "3 s after a beat: alive");
	fake_clock_advance(2000000000ULL);
	ok(vd->hb_flatlined, "5 s after it: flatlined");
	simple(VMMDEV_REQ_GUEST_HEARTBEAT, 24);
	ok(!vd->hb_flatlined, "a beat again: alive");
	hb = (void *)hdr(REQ, VMMDEV_REQ_HEARTBEAT_CONFIGURE, sizeof(*hb));
	submit(REQ);
	fake_clock_advance(10000000000ULL);
	ok(!vd->hb_flatlined && !vd->hb_enabled, "disabled: no verdict");
}

/* HGCM requests, built in guest RAM. */
struct call_builder {
	uint32_t gpa;
	struct vmmdev_hgcm_call *c;
	uint32_t extra;		/* where the next page list goes */
};

static void call_begin(struct call_builder *b, uint32_t gpa, uint32_t client,
		       uint32_t fn, uint32_t nparms)
{
	b->gpa = gpa;
	b->c = (void *)hdr(gpa, VMMDEV_REQ_HGCM_CALL64, 0x800);
	b->c->client_id = client;
	b->c->function = fn;
	b->c->parm_count = nparms;
	b->extra = sizeof(*b->c) + nparms * 16;
}

static struct vmmdev_hgcm_parm64 *parm(struct call_builder *b, unsigned int i)
{
	return (struct vmmdev_hgcm_parm64 *)(b->c + 1) + i;
}

/* A buffer at gpa in one page list (as Linux's driver sends them). */
static void parm_buf(struct call_builder *b, unsigned int i, uint32_t gpa,
		     uint32_t size, uint32_t flags)
{
	struct vmmdev_hgcm_page_list *pl = (void *)((uint8_t *)b->c + b->extra);
	uint32_t pages = ((gpa & 0xfff) + size + 0xfff) / 0x1000, k;

	parm(b, i)->type = VMMDEV_HGCM_PARM_PAGELIST;
	parm(b, i)->u.page_list.size = size;
	parm(b, i)->u.page_list.offset = b->extra;
	pl->flags = flags;
	pl->first_offset = gpa & 0xfff;
	pl->page_count = pages ? pages : 1;
	for (k = 0; k < pl->page_count; k++)
		pl->pages[k] = (gpa & ~0xfffu) + k * 0x1000;
	b->extra += sizeof(*pl) + 8 * pl->page_count;
}

static void parm_str(struct call_builder *b, unsigned int i, uint32_t gpa,
		     const char *s)
{
	strcpy(at(gpa), s);
	parm_buf(b, i, gpa, strlen(s) + 1, VMMDEV_HGCM_F_TO_HOST);
}

static void parm_u32(struct call_builder *b, unsigned int i, uint32_t v)
{
	parm(b, i)->type = VMMDEV_HGCM_PARM_32BIT;
	parm(b, i)->u.value32 = v;
}

static void parm_u64(struct call_builder *b, unsigned int i, uint64_t v)
{
	parm(b, i)->type = VMMDEV_HGCM_PARM_64BIT;
	parm(b, i)->u.value64 = v;
}

static int call_end(struct call_builder *b)
{
	b->c->hdr.header.size = b->extra;
	submit(b->gpa);
	return b->c->hdr.header.rc;
}

static uint32_t client;

static void test_hgcm_connect(void)
{
	struct vmmdev_hgcm_connect *c;
	struct vmmdev_hgcm_disconnect *d;
	uint32_t other;

	c = (void *)hdr(REQ, VMMDEV_REQ_HGCM_CONNECT, sizeof(*c));
	c->loc_type = VMMDEV_HGCM_LOC_LOCALHOST_EXISTING;
	strcpy(c->service, "NoSuchService");
	submit(REQ);
	ok(c->hdr.header.rc >= 0 &&
	   c->hdr.result == VERR_HGCM_SERVICE_NOT_FOUND &&
	   (c->hdr.flags & VMMDEV_HGCM_REQ_DONE),
	   "connect to an unknown service: VERR_HGCM_SERVICE_NOT_FOUND, done");
	c = (void *)hdr(REQ, VMMDEV_REQ_HGCM_CONNECT, sizeof(*c));
	c->loc_type = VMMDEV_HGCM_LOC_LOCALHOST_EXISTING;
	strcpy(c->service, GUESTPROP_SERVICE);
	submit(REQ);
	ok(c->hdr.header.rc == VINF_SUCCESS && c->hdr.result == VINF_SUCCESS &&
	   c->client_id, "connect to %s: client %u", GUESTPROP_SERVICE,
	   c->client_id);
	client = c->client_id;
	c = (void *)hdr(REQ, VMMDEV_REQ_HGCM_CONNECT, sizeof(*c));
	c->loc_type = VMMDEV_HGCM_LOC_LOCALHOST_EXISTING;
	strcpy(c->service, GUESTPROP_SERVICE);
	submit(REQ);
	other = c->client_id;
	d = (void *)hdr(REQ, VMMDEV_REQ_HGCM_DISCONNECT, sizeof(*d));
	d->client_id = other;
	submit(REQ);
	is_int(d->hdr.result, VINF_SUCCESS, "disconnect");
	submit(REQ);
	is_int(d->hdr.result, VERR_HGCM_INVALID_CLIENT_ID,
	       "disconnect again: VERR_HGCM_INVALID_CLIENT_ID");
}

/* A guest SET: the call's result. */
static int guest_set(const char *name, const char *value, const char *flags)
{
	struct call_builder b;

	call_begin(&b, REQ, client, GUESTPROP_FN_SET, flags ? 3 : 2);
	parm_str(&b, 0, DATA, name);
	parm_str(&b, 1, DATA + 0x100, value);
	if (flags)
		parm_str(&b, 2, DATA + 0x900, flags);
	call_end(&b);
	if (!(b.c->hdr.flags & VMMDEV_HGCM_REQ_DONE))
		return VERR_WRONG_ORDER;	/* not answered at once */
	return b.c->hdr.result;
}

static void test_guestprop_guest(void)
{
	struct call_builder b;
	char big[1100];
	const char *out = at(DATA + 0x2000);
	unsigned int i;

	is_int(guest_set("/Test/A", "alpha", NULL), VINF_SUCCESS, "guest sets /Test/A");
	call_begin(&b, REQ, client, GUESTPROP_FN_GET, 4);
	parm_str(&b, 0, DATA, "/Test/A");
	parm_buf(&b, 1, DATA + 0x1ffe, 64, VMMDEV_HGCM_F_FROM_HOST);
	parm_u64(&b, 2, 0);
	parm_u32(&b, 3, 0);
	call_end(&b);
	ok(b.c->hdr.result == VINF_SUCCESS &&
	   !memcmp(at(DATA + 0x1ffe), "alpha\0\0", 7) &&
	   parm(&b, 3)->u.value32 == 7 && parm(&b, 2)->u.value64,
	   "GET into a buffer across two pages: value, flags, size 7, a timestamp");
	call_begin(&b, REQ, client, GUESTPROP_FN_GET, 4);
	parm_str(&b, 0, DATA, "/Test/A");
	parm_buf(&b, 1, DATA + 0x2000, 3, VMMDEV_HGCM_F_FROM_HOST);
	parm_u64(&b, 2, 0);
	parm_u32(&b, 3, 0);
	call_end(&b);
	ok(b.c->hdr.result == VERR_BUFFER_OVERFLOW &&
	   parm(&b, 3)->u.value32 == 7,
	   "GET into 3 bytes: VERR_BUFFER_OVERFLOW, size says 7");
	call_begin(&b, REQ, client, GUESTPROP_FN_GET, 4);
	parm_str(&b, 0, DATA, "/Test/None");
	parm_buf(&b, 1, DATA + 0x2000, 64, VMMDEV_HGCM_F_FROM_HOST);
	parm_u64(&b, 2, 0);
	parm_u32(&b, 3, 0);
	call_end(&b);
	is_int(b.c->hdr.result, VERR_NOT_FOUND, "GET of no property: VERR_NOT_FOUND");

	is_int(guest_set("/VirtualBox/HostInfo/X", "1", NULL),
	       VERR_PERMISSION_DENIED, "the guest may not write /VirtualBox/HostInfo/");
	is_int(guest_set("/Test/*", "1", NULL), VERR_INVALID_PARAMETER,
	       "a name with '*': VERR_INVALID_PARAMETER");
	is_int(guest_set("/Test/F", "1", "TRANSIENT, BOGUS"), VERR_PARSE_ERROR,
	       "unknown flags: VERR_PARSE_ERROR");
	memset(big, 'v', sizeof(big) - 1);
	big[sizeof(big) - 1] = '\0';
	is_int(guest_set("/Test/Big", big, NULL), VERR_TOO_MUCH_DATA,
	       "a value of 1099 bytes: VERR_TOO_MUCH_DATA");
	is_int(m.additions->prop_set(m.additions_opaque, "/Test/RO", "host",
				     "RDONLYGUEST", 0, NULL, 0), 0,
	       "the host sets /Test/RO read-only for the guest");
	is_int(guest_set("/Test/RO", "guest", NULL), VERR_PERMISSION_DENIED,
	       "... the guest cannot change it");
	is_int(guest_set("/Test/TR", "x", "TRANSRESET"), VINF_SUCCESS,
	       "a TRANSRESET property");
	is_int(guest_set("/Test/Mine", "x", "RDONLYHOST"), VERR_PERMISSION_DENIED,
	       "the guest may not make a property read-only for the host");

	call_begin(&b, REQ, client, GUESTPROP_FN_ENUM, 3);
	memcpy(at(DATA), "/Test/A\0/Test/R*\0", 18);
	parm_buf(&b, 0, DATA, 18, VMMDEV_HGCM_F_TO_HOST);
	parm_buf(&b, 1, DATA + 0x2000, 4096, VMMDEV_HGCM_F_FROM_HOST);
	parm_u32(&b, 2, 0);
	call_end(&b);
	ok(b.c->hdr.result == VINF_SUCCESS && parm(&b, 2)->u.value32 > 4 &&
	   !memcmp(out + parm(&b, 2)->u.value32 - 4, "\0\0\0\0", 4),
	   "ENUM with NUL-separated patterns: ends with four empty strings (%u bytes)",
	   parm(&b, 2)->u.value32);
	ok(memmem(out, parm(&b, 2)->u.value32, "/Test/A\0alpha\0", 14) &&
	   memmem(out, parm(&b, 2)->u.value32, "/Test/RO\0host\0", 14) &&
	   !memmem(out, parm(&b, 2)->u.value32, "/Test/TR", 8),
	   "... the matching properties, only them");

	call_begin(&b, REQ, client, GUESTPROP_FN_DEL, 1);
	parm_str(&b, 0, DATA, "/Test/A");
	call_end(&b);
	is_int(b.c->hdr.result, VINF_SUCCESS, "DEL /Test/A");
	for (i = 0; i < GUESTPROP_MAX_PROPS + 1; i++) {
		char name[32];
		int rc;

		snprintf(name, sizeof(name), "/Fill/%u", i);
		rc = guest_set(name, "x", NULL);
		if (rc != VINF_SUCCESS)
			break;
	}
	ok(i < GUESTPROP_MAX_PROPS, "at most 256 properties (stopped after %u more)", i);
	while (i--) {
		char name[32];

		snprintf(name, sizeof(name), "/Fill/%u", i);
		m.additions->prop_set(m.additions_opaque, name, NULL, NULL, 0,
				      NULL, 0);
	}
}

static void test_hgcm_malformed(void)
{
	struct call_builder b;
	struct vmmdev_hgcm_page_list *pl;

	call_begin(&b, REQ, client, GUESTPROP_FN_DEL, 33);
	is_int(call_end(&b), VERR_INVALID_PARAMETER, "33 parameters: VERR_INVALID_PARAMETER");
	call_begin(&b, REQ, client, GUESTPROP_FN_DEL, 1);
	b.c->parm_count = 200;
	b.c->hdr.header.size = sizeof(*b.c) + 16;
	submit(REQ);
	is_int(b.c->hdr.header.rc, VERR_INVALID_PARAMETER,
	       "more parameters than the request holds: refused");
	call_begin(&b, REQ, 12345, GUESTPROP_FN_DEL, 1);
	parm_str(&b, 0, DATA, "/Test/A");
	call_end(&b);
	is_int(b.c->hdr.result, VERR_HGCM_INVALID_CLIENT_ID, "an unknown client: VERR_HGCM_INVALID_CLIENT_ID");

	call_begin(&b, REQ, client, GUESTPROP_FN_DEL, 1);
	parm_buf(&b, 0, RAM_SIZE - 0x1000, 0x2000, VMMDEV_HGCM_F_TO_HOST);
	is_int(call_end(&b), VERR_INVALID_POINTER, "a page list running past RAM: VERR_INVALID_POINTER");
	call_begin(&b, REQ, client, GUESTPROP_FN_GET, 4);
	parm_str(&b, 0, DATA, "/Test/RO");
	parm_buf(&b, 1, ROM_GPA, 64, VMMDEV_HGCM_F_FROM_HOST);
	parm_u64(&b, 2, 0);
	parm_u32(&b, 3, 0);
	is_int(call_end(&b), VERR_INVALID_POINTER, "a buffer for the host to write in ROM: refused");
	call_begin(&b, REQ, client, GUESTPROP_FN_DEL, 1);
	parm_str(&b, 0, DATA, "/Test/A");
	pl = (void *)((uint8_t *)b.c + parm(&b, 0)->u.page_list.offset);
	pl->pages[0] |= 0x10;
	is_int(call_end(&b), VERR_INVALID_PARAMETER, "an unaligned page: refused");
	call_begin(&b, REQ, client, GUESTPROP_FN_DEL, 1);
	parm_str(&b, 0, DATA, "/Test/A");
	pl = (void *)((uint8_t *)b.c + parm(&b, 0)->u.page_list.offset);
	pl->page_count = 0xffff;
	is_int(call_end(&b), VERR_INVALID_PARAMETER, "a page count past the request: refused");
	call_begin(&b, REQ, client, GUESTPROP_FN_DEL, 1);
	parm_str(&b, 0, DATA, "/Test/A");
	parm(&b, 0)->u.page_list.offset = sizeof(*b.c);
	is_int(call_end(&b), VERR_INVALID_PARAMETER, "a page list inside the parameters: refused");
	call_begin(&b, REQ, client, GUESTPROP_FN_DEL, 1);
	parm_str(&b, 0, DATA, "/Test/A");
	parm(&b, 0)->u.page_list.size = 0x5000;
	is_int(call_end(&b), VERR_INVALID_PARAMETER, "a size past its pages: refused");
	call_begin(&b, REQ, client, GUESTPROP_FN_DEL, 1);
	parm_str(&b, 0, DATA, "/Test/A");
	pl = (void *)((uint8_t *)b.c + parm(&b, 0)->u.page_list.offset);
	pl->flags = 7;
	is_int(call_end(&b), VERR_INVALID_FLAGS, "bad directions: VERR_INVALID_FLAGS");
	call_begin(&b, REQ, client, GUESTPROP_FN_DEL, 1);
	parm(&b, 0)->type = VMMDEV_HGCM_PARM_LINADDR_IN;
	parm(&b, 0)->u.pointer.size = 16;
	parm(&b, 0)->u.pointer.addr = 0xffff800000000000ULL;
	is_int(call_end(&b), VERR_NOT_SUPPORTED, "a guest-virtual buffer: VERR_NOT_SUPPORTED");
	call_begin(&b, REQ, client, GUESTPROP_FN_DEL, 1);
	parm(&b, 0)->type = 99;
	is_int(call_end(&b), VERR_INVALID_PARAMETER, "an unknown parameter type: refused");
	call_begin(&b, REQ, client, 77, 0);
	call_end(&b);
	is_int(b.c->hdr.result, VERR_NOT_IMPLEMENTED, "an unknown function: VERR_NOT_IMPLEMENTED");
	call_begin(&b, REQ, client, GUESTPROP_FN_DEL, 1);
	parm_u32(&b, 0, 5);
	call_end(&b);
	is_int(b.c->hdr.result, VERR_INVALID_PARAMETER, "a number for a name: VERR_INVALID_PARAMETER");
	/* An embedded name, inside the request. */
	call_begin(&b, REQ, client, GUESTPROP_FN_DEL, 1);
	parm(&b, 0)->type = VMMDEV_HGCM_PARM_EMBEDDED;
	parm(&b, 0)->u.embedded.flags_offset = b.extra << 8 | VMMDEV_HGCM_F_TO_HOST;
	parm(&b, 0)->u.embedded.size = 8;
	memcpy((uint8_t *)b.c + b.extra, "/Test/B", 8);
	b.extra += 8;
	call_end(&b);
	is_int(b.c->hdr.result, VINF_SUCCESS, "an embedded name: taken");
	call_begin(&b, REQ, client, GUESTPROP_FN_DEL, 1);
	parm(&b, 0)->type = VMMDEV_HGCM_PARM_EMBEDDED;
	parm(&b, 0)->u.embedded.flags_offset = 0x7ff00 | VMMDEV_HGCM_F_TO_HOST;
	parm(&b, 0)->u.embedded.size = 8;
	is_int(call_end(&b), VERR_INVALID_PARAMETER, "embedded data past the request: refused");
}

static void test_wait(void)
{
	struct call_builder b, w;
	struct guest_prop p;
	uint64_t before;
	struct vmmdev_hgcm_cancel2 *c2;

	fake_irq_reset();
	call_begin(&w, REQ2, client, GUESTPROP_FN_WAIT, 4);
	strcpy(at(DATA + 0x3000), "/Wait/*");
	parm_buf(&w, 0, DATA + 0x3000, 8, VMMDEV_HGCM_F_TO_HOST);
	parm_u64(&w, 1, 0);
	parm_buf(&w, 2, DATA + 0x4000, 256, VMMDEV_HGCM_F_FROM_HOST);
	parm_u32(&w, 3, 0);
	is_int(call_end(&w), VINF_HGCM_ASYNC_EXECUTE, "WAIT with no change: kept (VINF_HGCM_ASYNC_EXECUTE)");
	ok(!(w.c->hdr.flags & VMMDEV_HGCM_REQ_DONE), "... not done");
	guest_set("/Other", "1", NULL);
	ok(!(w.c->hdr.flags & VMMDEV_HGCM_REQ_DONE), "a change it does not match: still waiting");
	before = fake_gsi_edges(pci_irq_gsi(slot, 1));
	is_int(m.additions->prop_set(m.additions_opaque, "/Wait/x", "42", NULL,
				     0, NULL, 0), 0, "the host sets /Wait/x");
	ok((w.c->hdr.flags & VMMDEV_HGCM_REQ_DONE) && w.c->hdr.result == 0 &&
	   w.c->hdr.header.rc == VINF_HGCM_ASYNC_EXECUTE,
	   "... the wait is done, result 0");
	ok(!memcmp(at(DATA + 0x4000), "/Wait/x\0" "42\0\0" "0", 14) &&
	   parm(&w, 3)->u.value32 == 14 && parm(&w, 1)->u.value64,
	   "... with name, value, flags, not-deleted, and its timestamp");
	ok(fake_gsi_edges(pci_irq_gsi(slot, 1)) > before && irq(),
	   "... and the HGCM event raised the line");
	bus_read(&m.pio, BAR0 + 8, 4, &(uint64_t){0});

	/* From a timestamp: the change after it comes at once. */
	m.additions->prop_get(m.additions_opaque, "/Wait/x", &p);
	m.additions->prop_set(m.additions_opaque, "/Wait/y", "43", NULL, 0,
			      NULL, 0);
	call_begin(&w, REQ2, client, GUESTPROP_FN_WAIT, 4);
	parm_buf(&w, 0, DATA + 0x3000, 8, VMMDEV_HGCM_F_TO_HOST);
	parm_u64(&w, 1, p.timestamp);
	parm_buf(&w, 2, DATA + 0x4000, 256, VMMDEV_HGCM_F_FROM_HOST);
	parm_u32(&w, 3, 0);
	call_end(&w);
	ok((w.c->hdr.flags & VMMDEV_HGCM_REQ_DONE) && w.c->hdr.result == 0 &&
	   !strcmp(at(DATA + 0x4000), "/Wait/y"),
	   "WAIT from /Wait/x's timestamp returns /Wait/y at once");

	call_begin(&w, REQ2, client, GUESTPROP_FN_WAIT, 4);
	parm_buf(&w, 0, DATA + 0x3000, 8, VMMDEV_HGCM_F_TO_HOST);
	parm_u64(&w, 1, 0);
	parm_buf(&w, 2, DATA + 0x4000, 256, VMMDEV_HGCM_F_FROM_HOST);
	parm_u32(&w, 3, 0);
	call_end(&w);
	c2 = (void *)hdr(REQ, VMMDEV_REQ_HGCM_CANCEL2, sizeof(*c2));
	c2->phys_req = REQ2;
	submit(REQ);
	is_int(c2->header.rc, VINF_SUCCESS, "Cancel2 of the kept call");
	submit(REQ);
	is_int(c2->header.rc, VERR_NOT_FOUND, "Cancel2 again: VERR_NOT_FOUND");
	m.additions->prop_set(m.additions_opaque, "/Wait/z", "1", NULL, 0,
			      NULL, 0);
	ok(!(w.c->hdr.flags & VMMDEV_HGCM_REQ_DONE), "a cancelled call is never written");

	/* A kept call whose client goes: dropped, never written. */
	call_begin(&w, REQ2, client, GUESTPROP_FN_WAIT, 4);
	parm_buf(&w, 0, DATA + 0x3000, 8, VMMDEV_HGCM_F_TO_HOST);
	parm_u64(&w, 1, 0);
	parm_buf(&w, 2, DATA + 0x4000, 256, VMMDEV_HGCM_F_FROM_HOST);
	parm_u32(&w, 3, 0);
	call_end(&w);
	call_begin(&b, REQ, client, GUESTPROP_FN_WAIT, 4);
	parm_buf(&b, 0, DATA + 0x3000, 8, VMMDEV_HGCM_F_TO_HOST);
	parm_u64(&b, 1, 0);
	parm_buf(&b, 2, DATA + 0x5000, 256, VMMDEV_HGCM_F_FROM_HOST);
	parm_u32(&b, 3, 0);
	call_end(&b);
	ok((w.c->hdr.flags & VMMDEV_HGCM_REQ_DONE) &&
	   w.c->hdr.result == VERR_INTERRUPTED,
	   "the same wait again from the client ends the older: VERR_INTERRUPTED");
}

static void test_reset(void)
{
	struct guest_prop p;
	struct call_builder b;

	devices_reset(&m);
	program_bars();
	ok(m.additions->prop_get(m.additions_opaque, "/Test/TR", &p) == -ENOENT,
	   "a reset: the TRANSRESET property is gone");
	ok(!m.additions->prop_get(m.additions_opaque, "/Test/RO", &p),
	   "... the others stay");
	ok(!m.additions->prop_get(m.additions_opaque,
				  "/VirtualBox/VMInfo/ResetCounter", &p) &&
	   !strcmp(p.value, "1"), "... ResetCounter is 1");
	is_int(simple(VMMDEV_REQ_CTL_GUEST_FILTER_MASK,
		      sizeof(struct vmmdev_mask)), VERR_NOT_SUPPORTED,
	       "... the guest must report its info again");
	test_guest_info();
	call_begin(&b, REQ, client, GUESTPROP_FN_DEL, 1);
	parm_str(&b, 0, DATA, "/Test/A");
	call_end(&b);
	is_int(b.c->hdr.result, VERR_HGCM_INVALID_CLIENT_ID, "... its HGCM clients are gone");
}

static void test_host_side(void)
{
	char why[200];

	is_int(m.additions->prop_set(m.additions_opaque, "bad|name", "1", NULL,
				     0, why, sizeof(why)), -EINVAL,
	       "host: a bad name is refused");
	is_int(m.additions->prop_set(m.additions_opaque, "/H", "1", "NOPE",
				     0, why, sizeof(why)), -EINVAL,
	       "host: bad flags are refused");
	m.additions->prop_set(m.additions_opaque, "/H", "1", "RDONLYHOST", 0,
			      why, sizeof(why));
	is_int(m.additions->prop_set(m.additions_opaque, "/H", "2", NULL, 0,
				     why, sizeof(why)), -EPERM,
	       "host: RDONLYHOST holds for the host");
	is_int(m.additions->shutdown(m.additions_opaque, false), -EAGAIN,
	       "no additions service: no shutdown request");
}

/*
 * A guest changing a request's size in its memory while the host reads
 * it (another vCPU): only the size the host checked may count.  With the
 * size read twice, the write-back of a variable-size request copied up
 * to 1 GiB out of a 1 MiB buffer.
 */
static volatile bool racing;

static void *flip_size(void *arg)
{
	volatile uint32_t *size = at(REQ2);

	while (racing) {
		*size = 48;
		*size = 0x40000000;
	}
	return NULL;
}

static void test_size_race(void)
{
	pthread_t t;
	unsigned int i;

	hdr(REQ2, VMMDEV_REQ_SET_POINTER_SHAPE, 48);
	memset(ram + RAM_SIZE, 0x5a, 16);
	racing = true;
	pthread_create(&t, NULL, flip_size, NULL);
	for (i = 0; i < 200000; i++)
		submit(REQ2);
	racing = false;
	pthread_join(t, NULL);
	ok(ram[RAM_SIZE] == 0x5a,
	   "200000 requests whose size flips between 48 and 1 GiB while read: the host used only the size it checked");
}

static void test_patterns(void)
{
	ok(patterns_match("", "/a"), "an empty pattern matches all");
	ok(patterns_match("/a/*", "/a/b/c"), "'*' runs over '/'");
	ok(!patterns_match("/a/?", "/a/bc"), "'?' is one character");
	ok(patterns_match("/x|/a*c", "/abbbc"), "alternatives");
	ok(!patterns_match("/A*", "/abc"), "case matters");
	ok(!patterns_match("********************************x", "aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa"),
	   "many stars fail quickly");
}

int main(void)
{
	setup();
	test_identity();
	test_before_info();
	test_header_checks();
	test_guest_info();
	test_events();
	test_heartbeat();
	test_hgcm_connect();
	test_guestprop_guest();
	test_hgcm_malformed();
	test_wait();
	test_host_side();
	test_size_race();
	test_reset();
	test_patterns();
	ok(!exits, "nothing the guest did ended the VM");
	devices_destroy(&m);
	free(ram);
	free(rom);
	return tap_done();
}
