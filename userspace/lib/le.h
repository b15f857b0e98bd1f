/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Little-endian values in byte buffers (PCI configuration space, the run
 * area's data bytes), whatever the host's alignment or byte order.
 */
#ifndef VIREO_LE_H
#define VIREO_LE_H

#include <stdint.h>

/* size bytes (at most 8) at p. */
static inline uint64_t le_get(const uint8_t *p, unsigned int size)
{
	uint64_t v = 0;
	unsigned int i;

	for (i = 0; i < size; i++)
		v |= (uint64_t)p[i] << (8 * i);
	return v;
}

static inline void le_put(uint8_t *p, unsigned int size, uint64_t v)
{
	unsigned int i;

	for (i = 0; i < size; i++)
		p[i] = v >> (8 * i);
}

static inline uint16_t le16_get(const uint8_t *p)
{
	return le_get(p, 2);
}

static inline uint32_t le32_get(const uint8_t *p)
{
	return le_get(p, 4);
}

static inline void le16_put(uint8_t *p, uint16_t v)
{
	le_put(p, 2, v);
}

static inline void le32_put(uint8_t *p, uint32_t v)
{
	le_put(p, 4, v);
}

#endif /* VIREO_LE_H */
