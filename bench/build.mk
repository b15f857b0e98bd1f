# SPDX-License-Identifier: GPL-2.0
#
# exitbench, the VM-exit benchmark `make bench` runs under Vireo and KVM in
# the sandbox.  Included by the top-level Makefile; output under $(BUILD).
# Static, so it runs inside any sandbox or guest without its libraries.

BENCH_DIR	:= bench
BENCH_OUT	:= $(BUILD)/bench
BENCH_OBJS	:= $(addprefix $(BENCH_OUT)/, \
		     exitbench.o vireo_backend.o kvm_backend.o)

.PHONY: bench-build

bench-build: $(BENCH_OUT)/exitbench

$(BENCH_OUT)/exitbench: $(BENCH_OBJS)
	$(CC) $(USER_CFLAGS) $(LDFLAGS) -static -o $@ $^

$(BENCH_OUT)/%.o: $(BENCH_DIR)/%.c
	@mkdir -p $(@D)
	$(CC) $(USER_CFLAGS) -MMD -MP -c -o $@ $<

-include $(BENCH_OBJS:.o=.d)
