# SPDX-License-Identifier: GPL-2.0
#
# Vireo top-level build.  `make` builds vireo.ko, vireo-vm, the unit tests and
# the selftests; `make check` runs every test (kernel tests in the sandbox);
# `make demo` boots a ROM guest and Linux; `make bench` compares with KVM.

# The sandbox kernel: the one Debian's linux-image-amd64 depends on (scripts/kver).
SANDBOX_KVER ?= $(shell scripts/kver)
ifneq ($(wildcard /lib/modules/$(shell uname -r)/build/Makefile),)
KDIR ?= /lib/modules/$(shell uname -r)/build
else
KDIR ?= /usr/src/linux-headers-$(SANDBOX_KVER)
endif

CC	?= cc
BUILD	:= build
# The release: vireo.ko's MODULE_VERSION (kernel/Kbuild reads the file
# too), the programs' --version, the DKMS tree's name, the packages'.
# Digits and dots only: it goes into C strings, shell words and sed.
VERSION	:= $(shell cat VERSION)
ifneq ($(shell echo '$(VERSION)' | grep -xE '[0-9]+(\.[0-9]+)*'),$(VERSION))
$(error VERSION must be digits and dots, such as 0.12.0, not '$(VERSION)')
endif
# Warnings are errors here; a package build (debian/rules) sets WERROR= so
# that a newer compiler's new warning does not stop it.
WERROR	?= -Werror
CFLAGS_COMMON := -O2 -g -Wall -Wextra $(WERROR) -Wno-unused-parameter \
		 -std=gnu11 -D_GNU_SOURCE -I$(CURDIR)/include/uapi
# userspace/lib/'s headers are every userspace program's (userspace/build.mk).
USER_CFLAGS := $(CFLAGS_COMMON) -I$(CURDIR)/userspace/lib $(CFLAGS)

.PHONY: all module userspace selftests check unit-check demo bench clean deps \
	module-6.12 print-kdir-612

all: module userspace selftests

# kernel/Kbuild; the module is kernel/vireo.ko.
VIREO_KO := kernel/vireo.ko

module:
	$(MAKE) -C $(KDIR) M=$(CURDIR)/kernel modules

include userspace/build.mk
include tests/guests/multiboot/build.mk
include tests/linux/build.mk
include guest/build.mk
include tests/additions/build.mk
include tests/virtio/build.mk
include tests/lifecycle/build.mk
include tests/unit/build.mk
include selftests/build.mk
include bench/build.mk
include tests/fuzz/build.mk

# The module must also build against Debian's 6.12 headers.  Kbuild writes
# its objects beside the sources, so the check builds a copy under $(BUILD).
KDIR_612 ?= $(lastword $(sort $(wildcard /usr/src/linux-headers-6.12*[0-9]-amd64)))
print-kdir-612:
	@echo $(notdir $(KDIR_612))

module-6.12:
	@test -n "$(KDIR_612)" || { echo "no 6.12 headers (run scripts/deps)"; exit 1; }
	rm -rf $(BUILD)/kbuild-6.12 && mkdir -p $(BUILD)/kbuild-6.12
	cp --parents VERSION kernel/Kbuild $$(find kernel include -name '*.[chS]') \
		$(BUILD)/kbuild-6.12/
	$(MAKE) -C $(KDIR_612) M=$(CURDIR)/$(BUILD)/kbuild-6.12/kernel modules

# ---- make install (DESTDIR, PREFIX), as a Debian package lays it out with
# PREFIX=/usr: the programs and their man pages, vireo.ko's source for DKMS
# (/usr/src/vireo-VERSION, where DKMS looks), the systemd template unit,
# the udev rule and sysusers file that give /dev/vireo to the group vireo,
# and vmctl's bash
# completion.  The module itself is DKMS's to build.
PREFIX		?= /usr/local
BINDIR		?= $(PREFIX)/bin
# vireo-vm looks for vireo-slirp in ../libexec/vireo/ from its own folder.
LIBEXECDIR	?= $(PREFIX)/libexec
MANDIR		?= $(PREFIX)/share/man/man1
UNITDIR		?= $(PREFIX)/lib/systemd/system
UDEVDIR		?= $(PREFIX)/lib/udev/rules.d
SYSUSERSDIR	?= $(PREFIX)/lib/sysusers.d
COMPLETIONDIR	?= $(PREFIX)/share/bash-completion/completions
# DKMS looks in /usr/src whatever the prefix.
SRCDIR		?= /usr/src/vireo-$(VERSION)

.PHONY: install
install: vireo-vm vmctl vireo-slirp
	install -D -m 0755 $(BUILD)/vireo-vm $(DESTDIR)$(BINDIR)/vireo-vm
	install -D -m 0755 $(BUILD)/vmctl $(DESTDIR)$(BINDIR)/vmctl
	install -D -m 0755 $(BUILD)/vireo-slirp \
		$(DESTDIR)$(LIBEXECDIR)/vireo/vireo-slirp
	install -D -m 0644 $(BUILD)/man/vireo-vm.1 $(DESTDIR)$(MANDIR)/vireo-vm.1
	install -D -m 0644 $(BUILD)/man/vmctl.1 $(DESTDIR)$(MANDIR)/vmctl.1
	install -d $(DESTDIR)$(UNITDIR)
	sed 's|@BINDIR@|$(BINDIR)|g' packaging/vireo-vm@.service \
		> $(DESTDIR)$(UNITDIR)/vireo-vm@.service
	install -D -m 0644 packaging/60-vireo.rules $(DESTDIR)$(UDEVDIR)/60-vireo.rules
	install -D -m 0644 packaging/vireo.sysusers $(DESTDIR)$(SYSUSERSDIR)/vireo.conf
	install -D -m 0644 packaging/vmctl.bash-completion \
		$(DESTDIR)$(COMPLETIONDIR)/vmctl
	rm -rf $(DESTDIR)$(SRCDIR) && install -d $(DESTDIR)$(SRCDIR)
	cp --parents VERSION kernel/Kbuild $$(find kernel include -name '*.[chS]' \
		! -name '*.mod.c') $(DESTDIR)$(SRCDIR)/
	sed 's|@VERSION@|$(VERSION)|g' packaging/dkms.conf \
		> $(DESTDIR)$(SRCDIR)/dkms.conf

deps:
	@scripts/deps

check: deps
	@scripts/check

demo: deps
	@scripts/demo

bench: deps
	@scripts/bench

clean:
	-$(MAKE) -C $(KDIR) M=$(CURDIR)/kernel clean >/dev/null 2>&1
	rm -rf $(BUILD)
