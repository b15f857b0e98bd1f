# SPDX-License-Identifier: GPL-2.0
#
# The Linux guest test (tests/linux/run): its initramfs, busybox and
# tests/linux/init, built at $(BUILD)/guest/initramfs.cpio.

GUEST_INITRD	:= $(BUILD)/guest/initramfs.cpio

.PHONY: guest-initrd

userspace: guest-initrd

guest-initrd: $(GUEST_INITRD)

$(GUEST_INITRD): tests/linux/init tests/linux/build-initramfs
	tests/linux/build-initramfs $@

# `make check` runs tests/linux/run among the selftests (selftests/run);
# this runs it alone, in the SVM sandbox lane.
.PHONY: linux-check
linux-check: all
	scripts/sandbox --cpus 4 -- tests/linux/sandbox-run
