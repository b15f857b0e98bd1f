# SPDX-License-Identifier: GPL-2.0
#
# exitbench, the VM-exit benchmark `make bench` runs under Vireo and KVM in
# the sandbox, and bootwatch, which times bench/linux-boot's VM processes.
# Included by the top-level Makefile; output under $(BUILD).  Static, so
# they run inside any sandbox or guest without their libraries.

BENCH_DIR	:= bench
BENCH_OUT	:= $(BUILD)/bench
BENCH_OBJS	:= $(addprefix $(BENCH_OUT)/, \
		     exitbench.o vireo_backend.o kvm_backend.o)

.PHONY: bench-build

bench-build: $(BENCH_OUT)/exitbench $(BENCH_OUT)/bootwatch

$(BENCH_OUT)/exitbench: $(BENCH_OBJS)
	$(CC) $(USER_CFLAGS) $(LDFLAGS) -static -o $@ $^

$(BENCH_OUT)/bootwatch: $(BENCH_OUT)/bootwatch.o
	$(CC) $(USER_CFLAGS) $(LDFLAGS) -static -o $@ $^

$(BENCH_OUT)/%.o: $(BENCH_DIR)/%.c
	@mkdir -p $(@D)
	$(CC) $(USER_CFLAGS) -MMD -MP -c -o $@ $<

-include $(BENCH_OBJS:.o=.d) $(BENCH_OUT)/bootwatch.d
