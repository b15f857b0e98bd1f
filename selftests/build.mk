# SPDX-License-Identifier: GPL-2.0
#
# Selftests: one static binary per selftests/*_test.c, each linked with the
# library in selftests/lib/ and built on the kselftest harness, whose two
# headers come from Debian's linux-source-6.1 (extracted once into
# $(BUILD)/kselftest/, never copied into the repository).
#
#   make selftests      build $(BUILD)/selftests/*_test
#   make selftests-kvm  the same tests with lib/kvm_compat.c in place of
#                       lib/ioctl.c, in $(BUILD)/selftests-kvm/: they run
#                       on /dev/kvm, to check the tests themselves
#
# selftests/run (inside the sandbox) loads vireo.ko and runs them.

SELFTEST_OUT	:= $(BUILD)/selftests
SELFTEST_KVM_OUT := $(BUILD)/selftests-kvm
KSFT_DIR	:= $(BUILD)/kselftest
KSFT_TARBALL	?= /usr/src/linux-source-6.1.tar.xz
KSFT_MEMBERS	:= kselftest_harness.h kselftest.h
KSFT_STAMP	:= $(KSFT_DIR)/.extracted

# Guest code is compiled like the rest of the test, so all of it gets:
#  -fno-stack-protector  the canary is read through %fs, which guests lack;
#  -mno-red-zone         an exception in a guest pushes below its RSP;
#  -fno-pic -fno-pie     absolute addresses, valid in guest and host alike
#                        because the image sits at its link address in both.
SELFTEST_CFLAGS	:= $(USER_CFLAGS) -fno-stack-protector -mno-red-zone \
		   -fno-pic -fno-pie -Iselftests/lib -I$(KSFT_DIR) -MMD -MP
# Static and non-PIE: runs in any sandbox, and loads at 0x400000.
SELFTEST_LDFLAGS := -static -no-pie -pthread

SELFTEST_LIB_SRCS := \
	$(filter-out %/kvm_compat.c,$(wildcard selftests/lib/*.c))
SELFTEST_LIB_OBJS := \
	$(patsubst selftests/lib/%.c,$(SELFTEST_OUT)/lib/%.o,$(SELFTEST_LIB_SRCS))
SELFTEST_LIB	:= $(SELFTEST_OUT)/lib/libvireo_test.a
SELFTEST_SRCS	:= $(wildcard selftests/*_test.c)
SELFTEST_BINS	:= $(patsubst selftests/%.c,$(SELFTEST_OUT)/%,$(SELFTEST_SRCS))

SELFTEST_KVM_LIB := $(SELFTEST_KVM_OUT)/libvireo_test_kvm.a
SELFTEST_KVM_LIB_OBJS := $(filter-out %/ioctl.o,$(SELFTEST_LIB_OBJS)) \
			 $(SELFTEST_OUT)/lib/kvm_compat.o
SELFTEST_KVM_BINS := \
	$(patsubst selftests/%.c,$(SELFTEST_KVM_OUT)/%,$(SELFTEST_SRCS))

.PHONY: selftests-kvm

# guest_fuzz (random guest code) is built, but only run on purpose:
# selftests/run runs the *_test binaries.
SELFTEST_EXTRA	:= $(SELFTEST_OUT)/guest_fuzz
# kvm_keeper holds two idle KVM VMs while KVM runs tests in the sandbox
# (the file says why); it uses nothing of the library.
SELFTEST_KEEPER	:= $(SELFTEST_OUT)/kvm_keeper

# kvm_diff_test and kvmclock_test run on both hypervisors in every
# `make check`.
selftests: $(SELFTEST_BINS) $(SELFTEST_EXTRA) $(SELFTEST_KEEPER) \
	$(SELFTEST_KVM_OUT)/kvm_diff_test \
	$(SELFTEST_KVM_OUT)/kvmclock_test
selftests-kvm: $(SELFTEST_KVM_BINS)

$(KSFT_TARBALL):
	@echo "$@ is missing: install Debian's linux-source-6.1" >&2; exit 1

# Only the two headers; -m gives them the extraction time, so they are
# newer than the tarball and this runs once.
$(KSFT_STAMP): $(KSFT_TARBALL)
	@mkdir -p $(KSFT_DIR)
	tar -xJmf $(KSFT_TARBALL) -C $(KSFT_DIR) --strip-components=4 \
		$(addprefix linux-source-6.1/tools/testing/selftests/,$(KSFT_MEMBERS))
	@touch $@

$(SELFTEST_OUT)/lib/%.o: selftests/lib/%.c
	@mkdir -p $(@D)
	$(CC) $(SELFTEST_CFLAGS) -c -o $@ $<

$(SELFTEST_LIB): $(SELFTEST_LIB_OBJS)
	$(AR) rcs $@ $^

$(SELFTEST_KVM_LIB): $(SELFTEST_KVM_LIB_OBJS)
	@mkdir -p $(@D)
	$(AR) rcs $@ $^

# The harness's ASSERT_EQ(expected, seen) compares any two integer types
# (and prints each with its own signedness): ASSERT_EQ(0, u64) is not a bug.
$(SELFTEST_OUT)/%_test.o: selftests/%_test.c $(KSFT_STAMP)
	@mkdir -p $(@D)
	$(CC) $(SELFTEST_CFLAGS) -Wno-sign-compare -c -o $@ $<

$(SELFTEST_OUT)/guest_fuzz.o: selftests/guest_fuzz.c $(KSFT_STAMP)
	@mkdir -p $(@D)
	$(CC) $(SELFTEST_CFLAGS) -Wno-sign-compare -c -o $@ $<

$(SELFTEST_KEEPER): selftests/kvm_keeper.c
	@mkdir -p $(@D)
	$(CC) $(USER_CFLAGS) -static -o $@ $<

$(SELFTEST_BINS) $(SELFTEST_EXTRA): $(SELFTEST_OUT)/%: $(SELFTEST_OUT)/%.o $(SELFTEST_LIB)
	$(CC) $(SELFTEST_LDFLAGS) -o $@ $< $(SELFTEST_LIB)

$(SELFTEST_KVM_BINS): $(SELFTEST_KVM_OUT)/%: \
		$(SELFTEST_OUT)/%.o $(SELFTEST_KVM_LIB)
	$(CC) $(SELFTEST_LDFLAGS) -o $@ $< $(SELFTEST_KVM_LIB)

-include $(SELFTEST_LIB_OBJS:.o=.d) $(SELFTEST_OUT)/lib/kvm_compat.d
-include $(SELFTEST_BINS:=.d) $(SELFTEST_EXTRA:=.d)
