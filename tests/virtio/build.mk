# SPDX-License-Identifier: GPL-2.0
#
# The virtio test (tests/virtio/run): vq_poke, the guest program that
# drives a virtio function itself and feeds it malformed descriptor
# chains, static so that it runs in the test's busybox initramfs.
VQ_POKE		:= $(BUILD)/guest/vq_poke
userspace: $(VQ_POKE)
$(VQ_POKE): tests/virtio/vq_poke.c
	@mkdir -p $(@D)
	$(CC) $(CFLAGS_COMMON) -static -o $@ $<
