# SPDX-License-Identifier: GPL-2.0
#
# The Multiboot v1 test kernel (boot with vireo-vm --kernel): a freestanding
# ELF32 linked at 1 MiB.  It includes the loader's Multiboot ABI header, so
# both sides agree on the layout.  Included by the top-level Makefile.

MBTEST_DIR	:= tests/guests/multiboot
MBTEST_OUT	:= $(BUILD)/guests/multiboot
MBTEST_ELF	:= $(MBTEST_OUT)/mbtest.elf
MBTEST_OBJS	:= $(MBTEST_OUT)/entry.o $(MBTEST_OUT)/main.o
MBTEST_CFLAGS	:= -m32 -march=i686 -ffreestanding -fno-pic -fno-pie -static \
		   -nostdlib -fno-stack-protector -mgeneral-regs-only \
		   -fno-asynchronous-unwind-tables -O2 -g -std=gnu11 \
		   -Wall -Wextra -Werror -I$(DEVMODEL_DIR)/boot

.PHONY: guests

userspace: guests

guests: $(MBTEST_ELF)

$(MBTEST_OUT)/%.o: $(MBTEST_DIR)/%.c
	@mkdir -p $(@D)
	$(CC) $(MBTEST_CFLAGS) -MMD -MP -c -o $@ $<

$(MBTEST_OUT)/%.o: $(MBTEST_DIR)/%.S
	@mkdir -p $(@D)
	$(CC) $(MBTEST_CFLAGS) -MMD -MP -c -o $@ $<

$(MBTEST_ELF): $(MBTEST_OBJS) $(MBTEST_DIR)/kernel.ld
	$(LD) -m elf_i386 -T $(MBTEST_DIR)/kernel.ld --build-id=none \
		-o $@ $(MBTEST_OBJS)

-include $(MBTEST_OBJS:.o=.d)
