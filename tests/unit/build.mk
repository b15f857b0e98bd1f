# SPDX-License-Identifier: GPL-2.0
#
# Host-side unit tests of the device model: no kernel, no /dev/vireo.  Each
# test is one binary printing TAP; `make unit-check` runs them all and fails
# if any test fails.  A test links only the objects it exercises (and the
# devices it drives, which register themselves through devices.c).

UNIT_DIR	:= tests/unit
UNIT_OUT	:= $(BUILD)/tests/unit
UNIT_CFLAGS	= $(USER_CFLAGS) -I$(DEVMODEL_DIR) -I$(UNIT_DIR)

UNIT_TESTS	:= test_ioport test_devices test_uart16550 test_debug_exit \
		   test_rom test_memsize test_memmap test_vcpu_exit
UNIT_BINS	:= $(addprefix $(UNIT_OUT)/,$(UNIT_TESTS))

unit_deps_test_ioport		:= ioport
unit_deps_test_devices		:= ioport mmio machine devices
unit_deps_test_uart16550	:= ioport mmio machine devices dev/uart16550
unit_deps_test_debug_exit	:= ioport mmio machine devices dev/debug_exit
unit_deps_test_rom		:= rom
unit_deps_test_memsize		:= memsize
unit_deps_test_memmap		:= memmap
unit_deps_test_vcpu_exit	:= ioport mmio machine devices vcpu_loop signals \
				   dev/uart16550 dev/debug_exit

.PHONY: unit-tests

unit-tests: $(UNIT_BINS)

unit-check: unit-tests
	@failed=; for t in $(UNIT_BINS); do \
		echo "# $$t"; $$t || failed="$$failed $${t##*/}"; \
	done; \
	if [ -n "$$failed" ]; then echo "unit-check: FAILED:$$failed"; exit 1; fi; \
	echo "unit-check: all $(words $(UNIT_BINS)) test programs passed"

$(UNIT_OUT)/%.o: $(UNIT_DIR)/%.c
	@mkdir -p $(@D)
	$(CC) $(UNIT_CFLAGS) -MMD -MP -c -o $@ $<

.SECONDEXPANSION:
$(UNIT_BINS): $(UNIT_OUT)/%: $(UNIT_OUT)/%.o \
		$$(call devmodel_objs,$$(unit_deps_%))
	$(CC) $(USER_CFLAGS) $(LDFLAGS) -o $@ $^

-include $(UNIT_BINS:=.d)
