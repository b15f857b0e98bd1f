// SPDX-License-Identifier: GPL-2.0
/*
 * vmmdev_poke: runs inside a Linux guest, as root, and sends VMMDev
 * requests of its own straight to the device's port, beside the guest's
 * driver: malformed ones (sizes, versions, types, addresses outside RAM,
 * page lists pointing outside RAM, huge counts, a request that changes
 * while the host reads it), each of which must get its status code while
 * the VM keeps running.  Its memory's guest-physical addresses come from
 * /proc/self/pagemap.  Prints one line per check:
 *
 *	vireo-guest: poke ok - WHAT
 *	vireo-guest: poke not ok - WHAT (got RC)
 *
 * With --bench N it times, from inside the guest, N round trips each of
 * GetHostTime through the port and through /dev/vboxguest, and of a
 * guest property HGCM call through /dev/vboxguest, and prints
 * "vireo-guest: bench NAME median_us=M p90_us=P".
 */
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <pthread.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/io.h>
#include <sys/mman.h>
#include <time.h>
#include <unistd.h>

#include <vmmdev/guestprop.h>
#include <vmmdev/vbox_status.h>
#include <vmmdev/vmmdev.h>

#include "../../guest/guestd/prop.h"
#include "../../guest/guestd/vbg.h"

#define PAGE		4096u
#define PAGES		16

static uint16_t port;
static uint8_t *mem;			/* PAGES pages, locked */
static uint64_t gpa_of[PAGES];
static unsigned int checks, failures;

static void check(bool cond, const char *what, long long got)
{
	checks++;
	if (cond) {
		printf("vireo-guest: poke ok - %s\n", what);
	} else {
		failures++;
		printf("vireo-guest: poke not ok - %s (got %lld)\n", what, got);
	}
	fflush(stdout);
}

static int find_port(void)
{
	DIR *d = opendir("/sys/bus/pci/devices");
	struct dirent *e;
	char path[512], buf[128];
	FILE *f;
	unsigned int vendor, device;
	unsigned long long start;

	while (d && (e = readdir(d))) {
		if (e->d_name[0] == '.')
			continue;
		snprintf(path, sizeof(path), "/sys/bus/pci/devices/%s/vendor",
			 e->d_name);
		f = fopen(path, "r");
		if (!f || fscanf(f, "%x", &vendor) != 1)
			vendor = 0;
		if (f)
			fclose(f);
		snprintf(path, sizeof(path), "/sys/bus/pci/devices/%s/device",
			 e->d_name);
		f = fopen(path, "r");
		if (!f || fscanf(f, "%x", &device) != 1)
			device = 0;
		if (f)
			fclose(f);
		if (vendor != VMMDEV_VENDOR_ID || device != VMMDEV_DEVICE_ID)
			continue;
		snprintf(path, sizeof(path),
			 "/sys/bus/pci/devices/%s/resource", e->d_name);
		f = fopen(path, "r");
		if (f && fgets(buf, sizeof(buf), f) &&
		    sscanf(buf, "%llx", &start) == 1) {
			port = (uint16_t)start;
			fclose(f);
			closedir(d);
			return 0;
		}
		if (f)
			fclose(f);
	}
	if (d)
		closedir(d);
	return -1;
}

/* Locked pages and their guest-physical addresses. */
static int map_memory(void)
{
	int fd = open("/proc/self/pagemap", O_RDONLY);
	unsigned int i;

	mem = mmap(NULL, PAGES * PAGE, PROT_READ | PROT_WRITE,
		   MAP_PRIVATE | MAP_ANONYMOUS | MAP_LOCKED | MAP_POPULATE,
		   -1, 0);
	if (mem == MAP_FAILED || fd < 0)
		return -1;
	for (i = 0; i < PAGES; i++) {
		uint64_t e;
		off_t at = ((uintptr_t)(mem + i * PAGE) / PAGE) * 8;

		mem[i * PAGE] = 1;
		if (pread(fd, &e, 8, at) != 8 || !(e & (1ULL << 63)))
			return -1;
		gpa_of[i] = (e & ((1ULL << 55) - 1)) * PAGE;
		if (!gpa_of[i] || gpa_of[i] >= (1ULL << 32))
			return -1;
	}
	close(fd);
	return 0;
}

static void *page(unsigned int i)
{
	return mem + i * PAGE;
}

/* The host writes the answer: glibc's outl() does not tell the compiler. */
static void submit(unsigned int i)
{
	outl((uint32_t)gpa_of[i], port);
	__asm__ volatile("" ::: "memory");
}

static struct vmmdev_header *hdr(unsigned int i, uint32_t type, uint32_t size)
{
	struct vmmdev_header *h = page(i);

	memset(h, 0, PAGE);
	h->size = size;
	h->version = VMMDEV_REQUEST_VERSION;
	h->type = type;
	h->rc = VERR_GENERAL_FAILURE;
	return h;
}

static int host_time_rc(void)
{
	struct vmmdev_host_time *t = (void *)hdr(0, VMMDEV_REQ_GET_HOST_TIME,
						 sizeof(*t));

	submit(0);
	return t->header.rc;
}

static void test_headers(void)
{
	static const uint32_t types[] = { 0, 6, 999, 0x7fffffff, 0xffffffff };
	struct vmmdev_header *h;
	unsigned int i;

	check(host_time_rc() == VINF_SUCCESS, "GetHostTime through the port",
	      host_time_rc());
	h = hdr(0, VMMDEV_REQ_GET_HOST_TIME, 23);
	submit(0);
	check(h->rc == VERR_GENERAL_FAILURE, "size 23: left alone", h->rc);
	h = hdr(0, VMMDEV_REQ_GET_HOST_TIME, 0);
	submit(0);
	check(h->rc == VERR_GENERAL_FAILURE, "size 0: left alone", h->rc);
	h = hdr(0, VMMDEV_REQ_GET_HOST_TIME, 33);
	submit(0);
	check(h->rc == VERR_INVALID_PARAMETER, "size 33 for a 32-byte request: VERR_INVALID_PARAMETER", h->rc);
	h = hdr(0, VMMDEV_REQ_GET_HOST_TIME, 0xffffffff);
	submit(0);
	check(h->rc == VERR_NOT_SUPPORTED, "size 4 GiB: VERR_NOT_SUPPORTED", h->rc);
	h = hdr(0, VMMDEV_REQ_GET_HOST_TIME, 32);
	h->version = 0x20001;
	submit(0);
	check(h->rc == VERR_GENERAL_FAILURE, "version 0x20001: left alone", h->rc);
	for (i = 0; i < sizeof(types) / sizeof(types[0]); i++) {
		char what[80];

		h = hdr(0, types[i], 64);
		submit(0);
		snprintf(what, sizeof(what), "type %#x: VERR_NOT_IMPLEMENTED",
			 types[i]);
		check(h->rc == VERR_NOT_IMPLEMENTED, what, h->rc);
	}
	/* Addresses outside RAM: nothing to read, nothing written. */
	outl(0xf0000000, port);
	outl(0xfffffff0, port);
	outl(0xfec00000, port);
	__asm__ volatile("" ::: "memory");
	check(host_time_rc() == VINF_SUCCESS,
	      "requests at addresses outside RAM: the VM goes on", 0);
}

/* HGCM with a client of our own, beside the driver's. */
static uint32_t client;

static void call_begin(struct vmmdev_hgcm_call **cp, uint32_t fn,
		       uint32_t nparms)
{
	struct vmmdev_hgcm_call *c = (void *)hdr(1, VMMDEV_REQ_HGCM_CALL64,
						 1024);

	c->client_id = client;
	c->function = fn;
	c->parm_count = nparms;
	*cp = c;
}

static struct vmmdev_hgcm_parm64 *parm(struct vmmdev_hgcm_call *c,
				       unsigned int i)
{
	return (struct vmmdev_hgcm_parm64 *)(c + 1) + i;
}

/* Parameter 0 a page list of one page at gpa, the list at offset 600. */
static struct vmmdev_hgcm_page_list *name_parm(struct vmmdev_hgcm_call *c,
					       uint64_t gpa, uint32_t size)
{
	struct vmmdev_hgcm_page_list *pl = (void *)((uint8_t *)c + 600);

	parm(c, 0)->type = VMMDEV_HGCM_PARM_PAGELIST;
	parm(c, 0)->u.page_list.size = size;
	parm(c, 0)->u.page_list.offset = 600;
	pl->flags = VMMDEV_HGCM_F_TO_HOST;
	pl->first_offset = 0;
	pl->page_count = 1;
	pl->pages[0] = gpa;
	return pl;
}

static void test_hgcm(void)
{
	struct vmmdev_hgcm_connect *cn;
	struct vmmdev_hgcm_call *c;
	struct vmmdev_hgcm_page_list *pl;

	cn = (void *)hdr(1, VMMDEV_REQ_HGCM_CONNECT, sizeof(*cn));
	cn->loc_type = VMMDEV_HGCM_LOC_LOCALHOST_EXISTING;
	strcpy(cn->service, GUESTPROP_SERVICE);
	submit(1);
	client = cn->client_id;
	check(cn->hdr.header.rc == 0 && cn->hdr.result == 0 && client,
	      "HGCM connect through the port", cn->hdr.result);
	strcpy(page(2), "/Poke/Name");
	call_begin(&c, GUESTPROP_FN_DEL, 1);
	name_parm(c, gpa_of[2], 11);
	submit(1);
	check(c->hdr.header.rc == 0 && c->hdr.result == 0 &&
	      (c->hdr.flags & VMMDEV_HGCM_REQ_DONE), "a DEL with a page list", c->hdr.result);
	call_begin(&c, GUESTPROP_FN_DEL, 1);
	name_parm(c, 0xf0000000, 11);
	submit(1);
	check(c->hdr.header.rc == VERR_INVALID_POINTER,
	      "a page list pointing outside RAM: VERR_INVALID_POINTER", c->hdr.header.rc);
	call_begin(&c, GUESTPROP_FN_DEL, 1);
	name_parm(c, 0x7ffff000, 11);
	submit(1);
	check(c->hdr.header.rc == VERR_INVALID_POINTER,
	      "a page list pointing past RAM's end: VERR_INVALID_POINTER", c->hdr.header.rc);
	call_begin(&c, GUESTPROP_FN_DEL, 1);
	pl = name_parm(c, gpa_of[2], 11);
	pl->page_count = 0xffff;
	submit(1);
	check(c->hdr.header.rc == VERR_INVALID_PARAMETER,
	      "a page count of 65535: VERR_INVALID_PARAMETER", c->hdr.header.rc);
	call_begin(&c, GUESTPROP_FN_DEL, 0xffff);
	submit(1);
	check(c->hdr.header.rc == VERR_INVALID_PARAMETER,
	      "65535 parameters: VERR_INVALID_PARAMETER", c->hdr.header.rc);
	call_begin(&c, GUESTPROP_FN_DEL, 1);
	name_parm(c, gpa_of[2], 0x7fffffff);
	submit(1);
	check(c->hdr.header.rc == VERR_INVALID_PARAMETER,
	      "a 2 GiB buffer in one page: VERR_INVALID_PARAMETER", c->hdr.header.rc);
	call_begin(&c, GUESTPROP_FN_DEL, 1);
	c->client_id = 0xdeadbeef;
	name_parm(c, gpa_of[2], 11);
	submit(1);
	check(c->hdr.result == VERR_HGCM_INVALID_CLIENT_ID,
	      "a client id never given: VERR_HGCM_INVALID_CLIENT_ID", c->hdr.result);
}

/* A request whose bytes another thread keeps changing. */
static volatile bool racing;

static void *scribble(void *arg)
{
	volatile uint32_t *w = (volatile uint32_t *)page(3);
	unsigned int x = 12345;

	while (racing) {
		x = x * 1103515245 + 12345;
		w[(x >> 8) % 48] = x;
		w[0] = (x & 1) ? 32 : x % 2048;
		w[1] = VMMDEV_REQUEST_VERSION;
		w[2] = (x >> 4) & 3 ? VMMDEV_REQ_HGCM_CALL64 :
		       VMMDEV_REQ_GET_HOST_TIME;
	}
	return NULL;
}

static void test_race(void)
{
	pthread_t t;
	unsigned int i, odd = 0;

	memset(page(3), 0, PAGE);
	racing = true;
	pthread_create(&t, NULL, scribble, NULL);
	for (i = 0; i < 20000; i++) {
		int32_t rc;

		submit(3);
		rc = ((volatile int32_t *)page(3))[3];
		if (rc > 0 && rc != VINF_HGCM_ASYNC_EXECUTE &&
		    rc != VWRN_NOT_FOUND && rc != VINF_PERMISSION_DENIED)
			odd++;
	}
	racing = false;
	pthread_join(t, NULL);
	check(host_time_rc() == VINF_SUCCESS,
	      "20000 requests changing while the host read them: the VM goes on", odd);
}

static int cmp_ll(const void *a, const void *b)
{
	long long x = *(const long long *)a, y = *(const long long *)b;

	return x < y ? -1 : x > y;
}

static long long now_ns(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec * 1000000000LL + ts.tv_nsec;
}

static void report(const char *name, long long *ns, unsigned int n)
{
	qsort(ns, n, sizeof(*ns), cmp_ll);
	printf("vireo-guest: bench %s n=%u median_us=%.1f p90_us=%.1f\n", name,
	       n, ns[n / 2] / 1000.0, ns[n * 9 / 10] / 1000.0);
	fflush(stdout);
}

static void bench(unsigned int n)
{
	long long *ns = calloc(n, sizeof(*ns));
	struct prop_client pc;
	struct prop_value v;
	uint64_t ms;
	unsigned int i;
	int fd = vbg_open(VBG_DEVICE);

	for (i = 0; i < n; i++) {
		long long t0 = now_ns();

		host_time_rc();
		ns[i] = now_ns() - t0;
	}
	report("gethosttime_port", ns, n);
	if (fd < 0 || prop_connect(&pc, fd) < 0) {
		printf("vireo-guest: bench: no %s\n", VBG_DEVICE);
		return;
	}
	for (i = 0; i < n; i++) {
		long long t0 = now_ns();

		vbg_host_time(fd, &ms);
		ns[i] = now_ns() - t0;
	}
	report("gethosttime_ioctl", ns, n);
	prop_set(&pc, "/Poke/Bench", "x", NULL);
	for (i = 0; i < n; i++) {
		long long t0 = now_ns();

		prop_get(&pc, "/Poke/Bench", &v);
		ns[i] = now_ns() - t0;
	}
	report("guestprop_get_ioctl", ns, n);
	prop_disconnect(&pc);
	free(ns);
}

int main(int argc, char **argv)
{
	if (find_port() || iopl(3) || map_memory()) {
		printf("vireo-guest: poke not ok - no VMMDev port or memory: %m\n");
		return 1;
	}
	if (argc == 3 && !strcmp(argv[1], "--bench")) {
		bench((unsigned int)atoi(argv[2]));
		return 0;
	}
	test_headers();
	test_hgcm();
	test_race();
	printf("vireo-guest: poke done %u checks, %u failed\n", checks,
	       failures);
	return failures ? 1 : 0;
}
