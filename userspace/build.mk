# SPDX-License-Identifier: GPL-2.0
#
# vireo-vm, the device model, and the ROMs it boots.  Included by the
# top-level Makefile; everything goes under $(BUILD).  Every file in
# userspace/devmodel/dev/ is a device: adding one to the tree adds it to the
# machine (devices.h).

DEVMODEL_DIR	:= userspace/devmodel
DEVMODEL_CORE	:= bus machine devices devstate pause memsize memmap guest_mem \
		   rom vm vcpu vcpu_loop signals
# The device event loop and the interrupt lines (evloop.h, irq.h).
DEVMODEL_CORE	+= evloop irq
# Options, console input, CPUID, vCPU threads, the --kernel boot path.
DEVMODEL_CORE	+= options console console_out cpuid vcpus vcpu_threads boot_pc
# The system call filter, built with libseccomp (seccomp.h).
DEVMODEL_CORE	+= seccomp
DEVMODEL_LIBS	:= -lseccomp
DEVMODEL_DEVS	:= $(patsubst $(DEVMODEL_DIR)/%.c,%, \
		     $(wildcard $(DEVMODEL_DIR)/dev/*.c))
devmodel_objs	= $(patsubst %,$(BUILD)/$(DEVMODEL_DIR)/%.o,$(1))
DEVMODEL_OBJS	:= $(call devmodel_objs,main $(DEVMODEL_CORE) $(DEVMODEL_DEVS))
# Direct kernel boot: bzImage and Multiboot loaders, e820 (boot/boot.h).
DEVMODEL_BOOT	:= boot/boot boot/entry32 boot/e820 boot/bzimage boot/multiboot
DEVMODEL_OBJS	+= $(call devmodel_objs,$(DEVMODEL_BOOT))
# The ACPI tables (acpi/acpi.h).
DEVMODEL_ACPI	:= acpi/acpi acpi/fadt acpi/madt acpi/dsdt acpi/aml acpi/aml_res
DEVMODEL_OBJS	+= $(call devmodel_objs,$(DEVMODEL_ACPI))
# The PCI bus (pci/pci.h), capabilities, MSI and MSI-X (pci/pci_msi.h);
# its host bridge and devices are in dev/.
DEVMODEL_OBJS	+= $(call devmodel_objs,pci/pci pci/pci_msi)

.PHONY: vireo-vm roms

userspace: vireo-vm roms

vireo-vm: $(BUILD)/vireo-vm

$(BUILD)/vireo-vm: $(DEVMODEL_OBJS)
	$(CC) $(USER_CFLAGS) $(LDFLAGS) -o $@ $^ $(DEVMODEL_LIBS)

$(BUILD)/userspace/%.o: userspace/%.c
	@mkdir -p $(@D)
	$(CC) $(USER_CFLAGS) -MMD -MP -c -o $@ $<

-include $(DEVMODEL_OBJS:.o=.d)

include tests/roms/build.mk
