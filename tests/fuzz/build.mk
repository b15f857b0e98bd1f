# SPDX-License-Identifier: GPL-2.0
#
# libFuzzer targets, built with clang (libFuzzer, AddressSanitizer, UBSan):
#
#   make fuzz           build $(BUILD)/fuzz/fuzz_emulate
#   make fuzz-check     run it for FUZZ_SECONDS (60) from the corpus in
#                       $(BUILD)/fuzz/corpus; scripts/check runs it briefly
#
# fuzz_emulate drives the kernel's instruction emulator (kernel/emulate/) on
# the fake guest of the unit tests, as test_x86_emulate does.

FUZZ_OUT	:= $(BUILD)/fuzz
FUZZ_CC		?= clang
FUZZ_SECONDS	?= 60
FUZZ_CFLAGS	:= -g -O1 -std=gnu11 -D_GNU_SOURCE \
		   -fsanitize=fuzzer,address,undefined \
		   -fno-sanitize-recover=undefined \
		   -I$(UNIT_DIR)/kshim -I$(EMUL_DIR) -Ikernel -I$(UNIT_DIR) \
		   -I$(CURDIR)/include/uapi
FUZZ_EMUL_SRCS	:= tests/fuzz/fuzz_emulate.c $(UNIT_DIR)/emul_fake.c \
		   $(wildcard $(EMUL_DIR)/*.c)

.PHONY: fuzz fuzz-check

fuzz: $(FUZZ_OUT)/fuzz_emulate

$(FUZZ_OUT)/fuzz_emulate: $(FUZZ_EMUL_SRCS) $(wildcard $(EMUL_DIR)/*.h) \
		$(UNIT_DIR)/emul_fake.h
	@mkdir -p $(@D)
	$(FUZZ_CC) $(FUZZ_CFLAGS) -o $@ $(FUZZ_EMUL_SRCS)

fuzz-check: $(FUZZ_OUT)/fuzz_emulate
	@mkdir -p $(FUZZ_OUT)/corpus
	$(FUZZ_OUT)/fuzz_emulate -max_total_time=$(FUZZ_SECONDS) \
		-print_final_stats=1 $(FUZZ_OUT)/corpus
