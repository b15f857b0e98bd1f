// SPDX-License-Identifier: GPL-2.0
/*
 * Copy the test binary into guest memory, so guest code can be plain C
 * functions of the test.  Test binaries are static and non-PIE: every
 * segment is at its link address, and the guest sees it at the same
 * guest-physical (and, identity-mapped, virtual) address.  Pointers such as
 * the file and expression strings of GUEST_ASSERT() then mean the same thing
 * in the guest and on the host.
 */
#include <link.h>

#include "longmode.h"

struct elf_load_ctx {
	struct vireo_vm *vm;
	uint64_t end;
};

static void load_segment(struct elf_load_ctx *ctx, const ElfW(Phdr) *ph)
{
	uint64_t start = ph->p_vaddr;
	uint64_t end = start + ph->p_memsz;

	TEST_ASSERT(end <= LONGMODE_MEM_SIZE,
		    "segment %#lx-%#lx is beyond guest memory",
		    (unsigned long)start, (unsigned long)end);
	/* memsz, not filesz: the loader zeroed .bss in our copy too. */
	memcpy(addr_gpa2hva(ctx->vm, start), (const void *)(uintptr_t)start,
	       ph->p_memsz);
	if (end > ctx->end)
		ctx->end = end;
}

static int load_object(struct dl_phdr_info *info, size_t size, void *data)
{
	struct elf_load_ctx *ctx = data;
	unsigned int i;

	/* The executable has no name and no load bias; skip the vDSO. */
	if (info->dlpi_addr || (info->dlpi_name && info->dlpi_name[0]))
		return 0;
	for (i = 0; i < info->dlpi_phnum; i++)
		if (info->dlpi_phdr[i].p_type == PT_LOAD)
			load_segment(ctx, &info->dlpi_phdr[i]);
	return 1;
}

/* Load the running binary into @vm; returns the end of the image. */
uint64_t elf_load_self(struct vireo_vm *vm)
{
	struct elf_load_ctx ctx = { .vm = vm };

	dl_iterate_phdr(load_object, &ctx);
	TEST_ASSERT(ctx.end,
		    "no loadable segment found (is the test static non-PIE?)");
	return ctx.end;
}
