/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Nested paging: one mapper for guest-physical to host-physical tables,
 * parameterised by the entry format.  AMD NPT entries are long-mode page
 * table entries (APM Vol. 2 15.25 "Nested Paging"); Intel EPT entries have
 * their own layout (SDM Vol. 3C 29.3 "The Extended Page Table Mechanism").
 * Both are four levels of 512 entries covering 48 bits.
 */
#ifndef VIREO_NPT_H
#define VIREO_NPT_H

#include <linux/types.h>

struct npt_format {
	const char *name;
	u64 table_bits;		/* set in an entry that points to a table */
	u64 leaf_bits;		/* set in every leaf */
	u64 write_bit;		/* added to leaves the guest may write */
	u64 present_mask;	/* an entry with none of these is empty */
};

struct npt {
	const struct npt_format *fmt;
	u64 *root;
	phys_addr_t root_pa;
};

int npt_init(struct npt *npt, const struct npt_format *fmt);
void npt_destroy(struct npt *npt);
int npt_map(struct npt *npt, u64 gpa, phys_addr_t hpa, bool writable);
void npt_unmap_range(struct npt *npt, u64 gpa, u64 size);

#endif
