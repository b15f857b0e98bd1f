# SPDX-License-Identifier: GPL-2.0
#
# tests/lifecycle/run's helper: pauses and resumes over one control
# connection, timed (pause_cycles.c).  Built with the userspace.

LIFECYCLE_TOOLS	:= $(BUILD)/tests/lifecycle/pause_cycles

userspace: $(LIFECYCLE_TOOLS)

$(BUILD)/tests/lifecycle/%: tests/lifecycle/%.c
	@mkdir -p $(dir $@)
	$(CC) $(USER_CFLAGS) -o $@ $<
