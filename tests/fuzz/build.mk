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

fuzz: $(FUZZ_OUT)/fuzz_emulate $(FUZZ_OUT)/fuzz_vmmdev $(FUZZ_OUT)/fuzz_virtq

$(FUZZ_OUT)/fuzz_emulate: $(FUZZ_EMUL_SRCS) $(wildcard $(EMUL_DIR)/*.h) \
		$(UNIT_DIR)/emul_fake.h
	@mkdir -p $(@D)
	$(FUZZ_CC) $(FUZZ_CFLAGS) -o $@ $(FUZZ_EMUL_SRCS)

fuzz-check: fuzz
	@mkdir -p $(FUZZ_OUT)/corpus $(FUZZ_OUT)/corpus-vmmdev \
		$(FUZZ_OUT)/corpus-virtq
	$(FUZZ_OUT)/fuzz_emulate -max_total_time=$(FUZZ_SECONDS) \
		-print_final_stats=1 $(FUZZ_OUT)/corpus
	$(FUZZ_OUT)/fuzz_vmmdev -max_total_time=$(FUZZ_SECONDS) \
		-print_final_stats=1 $(FUZZ_OUT)/corpus-vmmdev \
		$(FUZZ_VMMDEV_SEEDS) 2>&1 | grep -v '^fuzz_vmmdev: vmmdev:'
	$(FUZZ_OUT)/fuzz_virtq -max_total_time=$(FUZZ_SECONDS) \
		-print_final_stats=1 $(FUZZ_OUT)/corpus-virtq

# fuzz_vmmdev feeds VMMDev requests (userspace/vmmdev/) through its port,
# on the unit tests' fake platform: the request parser, HGCM parameter
# decoding, the guest property service.
FUZZ_VMMDEV_SRCS := tests/fuzz/fuzz_vmmdev.c $(UNIT_DIR)/fake_platform.c \
		    $(addprefix $(DEVMODEL_DIR)/,bus.c machine.c devices.c \
		      devstate.c guest_mem.c pci/pci.c pci/pci_msi.c \
		      dev/pci_host.c dev/acpi_pm.c) \
		    $(wildcard $(VMMDEV_DIR)/*.c) \
		    $(LIB_DIR)/patterns.c $(LIB_DIR)/release.c $(LIB_DIR)/proc.c \
		    $(LIB_DIR)/guestprops.c

$(FUZZ_OUT)/fuzz_vmmdev: $(FUZZ_VMMDEV_SRCS) $(wildcard $(VMMDEV_DIR)/*.h) \
		$(wildcard include/vmmdev/*.h)
	@mkdir -p $(@D)
	$(FUZZ_CC) -g -O1 -std=gnu11 -D_GNU_SOURCE \
		-fsanitize=fuzzer,address,undefined \
		-fno-sanitize-recover=undefined -Wno-unused-parameter \
		-DVIREO_VERSION='"$(VERSION)"' -I$(CURDIR)/include/uapi \
		-I$(CURDIR)/include -I$(LIB_DIR) -iquote $(DEVMODEL_DIR) \
		-I$(VMMDEV_DIR) -I$(UNIT_DIR) -o $@ $(FUZZ_VMMDEV_SRCS) \
		-ljson-c

# Its seeds: a well-formed request of each kind (tests/fuzz/vmmdev_seeds.c).
FUZZ_VMMDEV_SEEDS := $(FUZZ_OUT)/seeds-vmmdev
$(FUZZ_OUT)/vmmdev_seeds: tests/fuzz/vmmdev_seeds.c $(wildcard include/vmmdev/*.h)
	@mkdir -p $(@D)
	$(CC) $(USER_CFLAGS) -o $@ $<
$(FUZZ_VMMDEV_SEEDS)/seed-00: $(FUZZ_OUT)/vmmdev_seeds
	@mkdir -p $(@D)
	$< $(@D)
fuzz: $(FUZZ_VMMDEV_SEEDS)/seed-00

# fuzz_virtq walks split virtqueues (userspace/devmodel/virtio/virtqueue.c)
# over guest RAM made of its input.
FUZZ_VIRTQ_SRCS := tests/fuzz/fuzz_virtq.c \
		   $(addprefix $(DEVMODEL_DIR)/,guest_mem.c virtio/virtqueue.c)

$(FUZZ_OUT)/fuzz_virtq: $(FUZZ_VIRTQ_SRCS) $(wildcard $(DEVMODEL_DIR)/virtio/*.h)
	@mkdir -p $(@D)
	$(FUZZ_CC) -g -O1 -std=gnu11 -D_GNU_SOURCE \
		-fsanitize=fuzzer,address,undefined \
		-fno-sanitize-recover=undefined -I$(DEVMODEL_DIR) \
		-o $@ $(FUZZ_VIRTQ_SRCS)
