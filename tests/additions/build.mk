# SPDX-License-Identifier: GPL-2.0
#
# The guest additions test (tests/additions/run): vmmdev_poke, the guest
# program that sends VMMDev requests of its own through the port, static
# so that it runs in the test's busybox initramfs.

VMMDEV_POKE	:= $(BUILD)/guest/vmmdev_poke

userspace: $(VMMDEV_POKE)

$(VMMDEV_POKE): tests/additions/vmmdev_poke.c $(GUESTD_DIR)/vbg.c \
		$(GUESTD_DIR)/prop.c $(wildcard $(GUESTD_DIR)/*.h) \
		$(wildcard include/vmmdev/*.h)
	@mkdir -p $(@D)
	$(CC) $(CFLAGS_COMMON) -I$(CURDIR)/include -static -pthread -o $@ \
		tests/additions/vmmdev_poke.c $(GUESTD_DIR)/vbg.c \
		$(GUESTD_DIR)/prop.c
