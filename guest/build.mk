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
		M=$(CURDIR)/$(BUILD)/guest-driver/$*/guest/driver modules
