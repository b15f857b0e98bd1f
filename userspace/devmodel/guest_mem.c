// SPDX-License-Identifier: GPL-2.0
/* The guest-memory accessor (guest_mem.h). */
#include <errno.h>
#include <string.h>

#include "guest_mem.h"

void guest_mem_init(struct guest_mem *gm, const struct memmap_region *r,
		    unsigned int n, uint8_t *ram, uint8_t *rom)
{
	unsigned int i;

	memset(gm, 0, sizeof(*gm));
	for (i = 0; i < n && gm->nr < MEMMAP_MAX_REGIONS; i++) {
		uint8_t *base = r[i].kind == MEMMAP_RAM ? ram : rom;

		if (!base)
			continue;
		gm->r[gm->nr++] = (struct guest_mem_region) {
			.gpa = r[i].gpa, .size = r[i].size,
			.hva = base + r[i].offset,
			.writable = r[i].kind == MEMMAP_RAM,
		};
	}
}

void *guest_mem_ptr(const struct guest_mem *gm, uint64_t gpa, uint64_t len,
		    bool write)
{
	unsigned int i;

	if (!len || gpa + len < gpa)
		return NULL;
	for (i = 0; i < gm->nr; i++) {
		const struct guest_mem_region *r = &gm->r[i];

		/* Written so that nothing overflows: gpa - r->gpa < size. */
		if (gpa < r->gpa || gpa - r->gpa >= r->size)
			continue;
		if (len > r->size - (gpa - r->gpa) || (write && !r->writable))
			return NULL;
		return r->hva + (gpa - r->gpa);
	}
	return NULL;
}

int guest_mem_read(const struct guest_mem *gm, uint64_t gpa, void *buf,
		   size_t len)
{
	const void *p;

	if (!len)
		return 0;
	p = guest_mem_ptr(gm, gpa, len, false);
	if (!p)
		return -EFAULT;
	memcpy(buf, p, len);
	return 0;
}

int guest_mem_write(const struct guest_mem *gm, uint64_t gpa,
		    const void *buf, size_t len)
{
	void *p;

	if (!len)
		return 0;
	p = guest_mem_ptr(gm, gpa, len, true);
	if (!p)
		return -EFAULT;
	memcpy(p, buf, len);
	return 0;
}
