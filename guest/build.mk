# SPDX-License-Identifier: GPL-2.0
#
# The guest additions (guest/): vireo-guestd, the daemon and guest
# property tool, linked static so that it runs in any Linux guest
# (docs/guest-additions.md).

GUESTD_DIR	:= guest/guestd
GUESTD		:= $(BUILD)/guest/vireo-guestd
# Host text it prints is made terminal-safe as vmctl makes it.
GUESTD_SRCS	:= $(wildcard $(GUESTD_DIR)/*.c) $(LIB_DIR)/safetext.c

.PHONY: guestd

userspace: guestd

guestd: $(GUESTD)

$(GUESTD): $(GUESTD_SRCS) $(wildcard $(GUESTD_DIR)/*.h) \
		$(wildcard include/vmmdev/*.h) VERSION
	@mkdir -p $(@D)
	$(CC) $(CFLAGS_COMMON) -I$(CURDIR)/include -I$(LIB_DIR) \
		-DVIREO_VERSION='"$(VERSION)"' -static -o $@ $(GUESTD_SRCS)

# vireo_guest.ko (guest/driver/), for every kernel whose headers are here
# (the sandbox's Debian kernels, which its guests boot): each built in a
# copy of its own, $(BUILD)/guest-driver/KVER/guest/driver/vireo_guest.ko.
GUEST_KVERS	:= $(notdir $(patsubst %/build,%,$(wildcard /lib/modules/*/build)))
GUEST_DRIVER_SRCS := guest/driver/Kbuild $(wildcard guest/driver/*.[ch]) \
		     $(wildcard include/vmmdev/*.h)

.PHONY: guest-driver

all: guest-driver

guest-driver: $(foreach k,$(GUEST_KVERS),$(BUILD)/guest-driver/$(k)/guest/driver/vireo_guest.ko)

$(BUILD)/guest-driver/%/guest/driver/vireo_guest.ko: $(GUEST_DRIVER_SRCS)
	rm -rf $(BUILD)/guest-driver/$* && mkdir -p $(BUILD)/guest-driver/$*
	cp --parents $(GUEST_DRIVER_SRCS) $(BUILD)/guest-driver/$*/
	$(MAKE) -C /lib/modules/$*/build \
		M=$(CURDIR)/$(BUILD)/guest-driver/$*/guest/driver KCFLAGS=-Werror \
		modules

# The bundle a user copies into a guest and runs install.sh from (as
# VirtualBox's VBoxLinuxAdditions.run): the daemon, its unit, the driver's
# source for DKMS, and install.sh (docs/guest-additions.md).
GUEST_BUNDLE	:= $(BUILD)/guest/vireo-guest-additions-$(VERSION)

.PHONY: guest-additions

userspace: guest-additions

guest-additions: $(GUEST_BUNDLE).tar.gz

$(GUEST_BUNDLE).tar.gz: $(GUESTD) guest/install.sh guest/vireo-guestd.service \
		guest/dkms.conf $(GUEST_DRIVER_SRCS) VERSION
	rm -rf $(GUEST_BUNDLE) && mkdir -p $(GUEST_BUNDLE)/driver
	cp guest/install.sh guest/vireo-guestd.service guest/dkms.conf \
		$(GUESTD) $(GUEST_BUNDLE)/
	echo $(VERSION) >$(GUEST_BUNDLE)/VERSION
	cp --parents $(GUEST_DRIVER_SRCS) $(GUEST_BUNDLE)/driver/
	tar -C $(BUILD)/guest -czf $@ $(notdir $(GUEST_BUNDLE))
