// SPDX-License-Identifier: GPL-2.0
/*
 * Checking exits.  A wrong exit is the usual first symptom of a module bug,
 * so the failure message describes the exit and the vCPU's registers.
 */
#include <stdio.h>
#include <string.h>

#include "vireo_util.h"

const char *exit_reason_str(uint32_t reason)
{
	static const char *const names[] = {
		[VIREO_EXIT_NONE]		= "NONE",
		[VIREO_EXIT_IO]			= "IO",
		[VIREO_EXIT_MMIO]		= "MMIO",
		[VIREO_EXIT_HLT]		= "HLT",
		[VIREO_EXIT_SHUTDOWN]		= "SHUTDOWN",
		[VIREO_EXIT_INTERNAL_ERROR]	= "INTERNAL_ERROR",
		[VIREO_EXIT_INTR]		= "INTR",
		[VIREO_EXIT_HYPERCALL]		= "HYPERCALL",
	};

	if (reason < ARRAY_SIZE(names) && names[reason])
		return names[reason];
	return "unknown";
}

static void dump_exit_details(const struct vireo_run *run)
{
	unsigned int i;

	switch (run->exit_reason) {
	case VIREO_EXIT_IO:
		fprintf(stderr, "  io: port %#x size %u %s count %u%s%s\n",
			run->io.port, run->io.size,
			run->io.direction == VIREO_IO_IN ? "in" : "out",
			run->io.count, run->io.string ? " string" : "",
			run->io.rep ? " rep" : "");
		break;
	case VIREO_EXIT_MMIO:
		fprintf(stderr, "  mmio: gpa %#llx len %u%s%s\n",
			(unsigned long long)run->mmio.phys_addr, run->mmio.len,
			run->mmio.is_write ? " write" : " read",
			run->mmio.is_fetch ? " fetch" : "");
		break;
	case VIREO_EXIT_INTERNAL_ERROR:
		fprintf(stderr, "  internal error: suberror %u",
			run->internal.suberror);
		for (i = 0; i < run->internal.ndata && i < 8; i++)
			fprintf(stderr, " %#llx",
				(unsigned long long)run->internal.data[i]);
		fputc('\n', stderr);
		break;
	}
}

/* Describe the last exit and the registers on stderr. */
void vcpu_dump_exit(struct vireo_vcpu *vcpu)
{
	const struct vireo_run *run = vcpu->run;
	struct vireo_regs r;

	fprintf(stderr, "  vCPU %u exit %u (%s)\n", vcpu->id, run->exit_reason,
		exit_reason_str(run->exit_reason));
	dump_exit_details(run);
	/* Raw ioctl: a failing GET_REGS must not hide the first failure. */
	if (vireo_ioctl(vcpu->fd, VIREO_GET_REGS, (unsigned long)&r))
		return;
	fprintf(stderr,
		"  rip %#llx rflags %#llx rsp %#llx\n"
		"  rax %#llx rbx %#llx rcx %#llx rdx %#llx rsi %#llx rdi %#llx\n",
		r.rip, r.rflags, r.rsp, r.rax, r.rbx, r.rcx, r.rdx, r.rsi,
		r.rdi);
}

void __vcpu_assert_exit(struct vireo_vcpu *vcpu, uint32_t reason,
			const char *file, int line)
{
	uint32_t got = vcpu->run->exit_reason;

	if (got == reason)
		return;
	vcpu_dump_exit(vcpu);
	TEST_ASSERT_AT(file, line, got == reason,
		       "exit reason %s (%u), expected %s (%u)",
		       exit_reason_str(got), got, exit_reason_str(reason),
		       reason);
}

static void assert_simple_io(struct vireo_vcpu *vcpu, uint16_t port,
			     uint8_t size, uint8_t dir, const char *file,
			     int line)
{
	const struct vireo_run_io *io = &vcpu->run->io;

	__vcpu_assert_exit(vcpu, VIREO_EXIT_IO, file, line);
	if (io->port == port && io->size == size && io->direction == dir &&
	    io->count == 1 && !io->string && !io->rep)
		return;
	vcpu_dump_exit(vcpu);
	TEST_ASSERT_AT(file, line, false,
		       "expected a one-element %s of %u bytes at port %#x",
		       dir == VIREO_IO_IN ? "IN" : "OUT", size, port);
}

uint32_t __vcpu_expect_out(struct vireo_vcpu *vcpu, uint16_t port,
			   uint8_t size, const char *file, int line)
{
	uint32_t value = 0;

	assert_simple_io(vcpu, port, size, VIREO_IO_OUT, file, line);
	/* x86 is little-endian: the low @size bytes of a zeroed u32. */
	memcpy(&value, vcpu_io_data(vcpu), size);
	return value;
}

void __vcpu_answer_in(struct vireo_vcpu *vcpu, uint16_t port, uint8_t size,
		      uint32_t value, const char *file, int line)
{
	assert_simple_io(vcpu, port, size, VIREO_IO_IN, file, line);
	memcpy(vcpu_io_data(vcpu), &value, size);
}

/*
 * Collect @len bytes a guest writes with REP OUTSB to @port: the module may
 * split the instruction into several exits, each carrying count elements.
 */
void __vcpu_collect_rep_outsb(struct vireo_vcpu *vcpu, uint16_t port,
			      char *buf, size_t len, const char *file, int line)
{
	const struct vireo_run_io *io = &vcpu->run->io;
	size_t got = 0;

	while (got < len) {
		vcpu_run(vcpu);
		__vcpu_assert_exit(vcpu, VIREO_EXIT_IO, file, line);
		TEST_ASSERT_AT(file, line, io->port == port &&
			       io->direction == VIREO_IO_OUT && io->size == 1 &&
			       io->string && io->rep && io->count > 0 &&
			       io->count <= len - got,
			       "want REP OUTSB of at most %zu bytes to port %#x",
			       len - got, port);
		memcpy(buf + got, vcpu_io_data(vcpu), io->count);
		got += io->count;
	}
}
