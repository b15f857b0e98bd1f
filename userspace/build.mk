# SPDX-License-Identifier: GPL-2.0
#
# vireo-vm, the device model, and the ROMs it boots.  Included by the
# top-level Makefile; everything goes under $(BUILD).  Every .c file is
# taken by folder, so a new file needs no line here:
#
#   userspace/lib/        shared by vireo-vm and vmctl: messages, sizes
#                         (libvireo.a, headers on every userspace -I path)
#   userspace/devmodel/   vireo-vm's core (main.c, buses, devices.c, ...)
#     dev/                one device class per file: adding one to the tree
#                         adds it to the machine (devices.h)
#     pci/ boot/ acpi/    the PCI bus, the kernel loaders, the ACPI tables
#   userspace/vmmdev/     VirtualBox's VMMDev and its services, linked into
#                         vireo-vm (its device class registers itself)

LIB_DIR		:= userspace/lib
LIB_OBJS	:= $(patsubst %.c,$(BUILD)/%.o,$(wildcard $(LIB_DIR)/*.c))
LIBVIREO	:= $(BUILD)/libvireo.a

DEVMODEL_DIR	:= userspace/devmodel
devmodel_stems	= $(patsubst $(DEVMODEL_DIR)/%.c,%,$(wildcard $(1)))
DEVMODEL_CORE	:= $(filter-out main, \
		     $(call devmodel_stems,$(DEVMODEL_DIR)/*.c))
DEVMODEL_DEVS	:= $(call devmodel_stems,$(DEVMODEL_DIR)/dev/*.c)
# Direct kernel boot: bzImage and Multiboot loaders, e820 (boot/boot.h).
DEVMODEL_BOOT	:= $(call devmodel_stems,$(DEVMODEL_DIR)/boot/*.c)
# The ACPI tables (acpi/acpi.h).
DEVMODEL_ACPI	:= $(call devmodel_stems,$(DEVMODEL_DIR)/acpi/*.c)
# The PCI bus (pci/pci.h), capabilities, MSI and MSI-X (pci/pci_msi.h);
# its host bridge and devices are in dev/.
DEVMODEL_PCI	:= $(call devmodel_stems,$(DEVMODEL_DIR)/pci/*.c)
# Virtio: the split virtqueue (virtio/virtqueue.h); its devices come next.
DEVMODEL_VIRTIO	:= $(call devmodel_stems,$(DEVMODEL_DIR)/virtio/*.c)
# Network back ends (net/net.h); TAP interfaces are configured through
# libnl-route-3 (Debian's libnl-route-3-dev).
DEVMODEL_NET	:= $(call devmodel_stems,$(DEVMODEL_DIR)/net/*.c)
NL_ROUTE_CFLAGS	:= $(shell pkg-config --cflags libnl-route-3.0 2>/dev/null || \
		     echo -I/usr/include/libnl3)
NL_ROUTE_LIBS	:= $(shell pkg-config --libs libnl-route-3.0 2>/dev/null || \
		     echo -lnl-route-3 -lnl-3)
$(BUILD)/$(DEVMODEL_DIR)/net/%.o: USER_CFLAGS += $(NL_ROUTE_CFLAGS)
# The system call filter is built with libseccomp (seccomp.h).
DEVMODEL_LIBS	:= -lseccomp $(NL_ROUTE_LIBS)
devmodel_objs	= $(patsubst %,$(BUILD)/$(DEVMODEL_DIR)/%.o,$(1))
DEVMODEL_OBJS	:= $(call devmodel_objs,main $(DEVMODEL_CORE) \
		     $(DEVMODEL_DEVS) $(DEVMODEL_BOOT) $(DEVMODEL_ACPI) \
		     $(DEVMODEL_PCI) $(DEVMODEL_VIRTIO) $(DEVMODEL_NET))

# vmctl (userspace/ctl/): one file per command, the table in commands.c.
CTL_DIR		:= userspace/ctl
CTL_OBJS	:= $(patsubst %.c,$(BUILD)/%.o,$(wildcard $(CTL_DIR)/*.c))
# vmctl reads the kernel's "vireo" generic netlink family through
# libnl-genl-3 (the named netlink dependency; Debian's libnl-genl-3-dev).
NL_CFLAGS	:= $(shell pkg-config --cflags libnl-genl-3.0 2>/dev/null || \
		     echo -I/usr/include/libnl3)
NL_LIBS		:= $(shell pkg-config --libs libnl-genl-3.0 2>/dev/null || \
		     echo -lnl-genl-3 -lnl-3)
$(CTL_OBJS): USER_CFLAGS += $(NL_CFLAGS)
# The settings file (userspace/lib/settings.c) is JSON through json-c and
# names VMs by UUID through libuuid.
LIB_LIBS	:= -ljson-c -luuid

VMMDEV_DIR	:= userspace/vmmdev
VMMDEV_OBJS	:= $(patsubst %.c,$(BUILD)/%.o,$(wildcard $(VMMDEV_DIR)/*.c))
# VMMDev's files include the device model's headers as dev/ files do.
$(VMMDEV_OBJS): USER_CFLAGS += -iquote $(DEVMODEL_DIR)
# The VMMDev wire ABI (include/vmmdev/) is shared with the guest
# additions; the device model's control socket sees guestprop.h too.
VMMDEV_ABI_CFLAGS := -I$(CURDIR)/include
USER_CFLAGS	+= $(VMMDEV_ABI_CFLAGS)

# vireo-slirp (userspace/slirp/): user-mode networking in a process of its
# own, through libslirp (Debian's libslirp-dev; its header needs no glib).
SLIRP_OBJS	:= $(patsubst %.c,$(BUILD)/%.o,$(wildcard userspace/slirp/*.c))

.PHONY: vireo-vm vmctl roms vireo-slirp

userspace: vireo-vm vmctl roms vireo-slirp

vireo-slirp: $(BUILD)/vireo-slirp

$(BUILD)/vireo-slirp: $(SLIRP_OBJS)
	$(CC) $(USER_CFLAGS) $(LDFLAGS) -o $@ $^ -lslirp

vireo-vm: $(BUILD)/vireo-vm $(BUILD)/man/vireo-vm.1

vmctl: $(BUILD)/vmctl $(BUILD)/man/vmctl.1

$(BUILD)/vireo-vm: $(DEVMODEL_OBJS) $(VMMDEV_OBJS) $(LIBVIREO)
	$(CC) $(USER_CFLAGS) $(LDFLAGS) -o $@ $^ $(DEVMODEL_LIBS) $(LIB_LIBS)

$(BUILD)/vmctl: $(CTL_OBJS) $(LIBVIREO)
	$(CC) $(USER_CFLAGS) $(LDFLAGS) -o $@ $^ $(LIB_LIBS) $(NL_LIBS)

# vireo-vm's man page is its --help, so that the two cannot disagree.
$(BUILD)/man/vireo-vm.1: $(BUILD)/vireo-vm
	@mkdir -p $(@D)
	{ printf '.TH VIREO-VM 1 "" "Vireo" "User Commands"\n.SH NAME\n'; \
	  printf 'vireo-vm \\- run a virtual machine on /dev/vireo\n'; \
	  printf '.SH DESCRIPTION\n.nf\n'; \
	  $< --help | sed 's/\\/\\e/g; s/^\./\\\&./'; \
	  printf '.fi\n.SH SEE ALSO\nvmctl(1)\n'; } > $@

# The man page comes from vmctl's command table, as its --help does.
$(BUILD)/man/vmctl.1: $(BUILD)/vmctl
	@mkdir -p $(@D)
	$< help --man > $@

# The release, for --version and the comparison with vireo.ko's.
$(BUILD)/$(LIB_DIR)/release.o: USER_CFLAGS += -DVIREO_VERSION='"$(VERSION)"'
$(BUILD)/$(LIB_DIR)/release.o: VERSION

$(LIBVIREO): $(LIB_OBJS)
	$(AR) rcs $@ $^

$(BUILD)/userspace/%.o: userspace/%.c
	@mkdir -p $(@D)
	$(CC) $(USER_CFLAGS) -MMD -MP -c -o $@ $<

-include $(DEVMODEL_OBJS:.o=.d) $(VMMDEV_OBJS:.o=.d) $(LIB_OBJS:.o=.d) \
	 $(CTL_OBJS:.o=.d) $(SLIRP_OBJS:.o=.d)

include tests/roms/build.mk
