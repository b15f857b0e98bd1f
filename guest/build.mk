# SPDX-License-Identifier: GPL-2.0
#
# The guest additions (guest/): vireo-guestd, the daemon and guest
# property tool, linked static so that it runs in any Linux guest
# (docs/guest-additions.md).

GUESTD_DIR	:= guest/guestd
GUESTD		:= $(BUILD)/guest/vireo-guestd
GUESTD_SRCS	:= $(wildcard $(GUESTD_DIR)/*.c)

.PHONY: guestd

userspace: guestd

guestd: $(GUESTD)

$(GUESTD): $(GUESTD_SRCS) $(wildcard $(GUESTD_DIR)/*.h) \
		$(wildcard include/vmmdev/*.h) VERSION
	@mkdir -p $(@D)
	$(CC) $(CFLAGS_COMMON) -I$(CURDIR)/include \
		-DVIREO_VERSION='"$(VERSION)"' -static -o $@ $(GUESTD_SRCS)
