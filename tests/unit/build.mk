# SPDX-License-Identifier: GPL-2.0
#
# Host-side unit tests of the device model: no kernel, no /dev/vireo.  Each
# test is one binary printing TAP; `make unit-check` runs them all and fails
# if any test fails.  A test links only the objects it exercises (and the
# devices it drives, which register themselves through devices.c).

UNIT_DIR	:= tests/unit
UNIT_OUT	:= $(BUILD)/tests/unit
UNIT_CFLAGS	= $(USER_CFLAGS) -I$(DEVMODEL_DIR) -I$(UNIT_DIR)

UNIT_TESTS	:= test_bus test_devices test_uart16550 test_debug_exit \
		   test_rom test_memsize test_memmap test_vcpu_exit
UNIT_TESTS	+= test_acpi test_acpi_aml
UNIT_TESTS	+= test_evloop test_irq test_i8259 test_ioapic
UNIT_TESTS	+= test_i8254 test_rtc test_i8042 test_acpi_pm test_pci
UNIT_TESTS	+= test_x86_emulate
UNIT_TESTS	+= test_e820 test_bzimage test_multiboot
UNIT_TESTS	+= test_options test_cpuid test_vcpu_threads test_console_out \
		   test_guest_mem test_machine test_devstate test_pci_msi \
		   test_seccomp test_settings test_control test_release
UNIT_TESTS	+= test_vmmdev test_safetext test_virtq test_virtio_pci \
		   test_virtio_blk test_virtio_blk_pool
UNIT_BINS	:= $(addprefix $(UNIT_OUT)/,$(UNIT_TESTS))

unit_deps_test_bus		:= bus
unit_deps_test_virtq		:= guest_mem memmap virtio/virtqueue
unit_deps_test_virtio_pci	:= bus machine devices devstate guest_mem pci/pci \
				   pci/pci_msi dev/pci_host dev/acpi_pm \
				   virtio/virtqueue virtio/virtio_pci \
				   virtio/virtio_rng
unit_deps_test_virtio_blk	:= bus machine devices devstate guest_mem pci/pci \
				   pci/pci_msi dev/pci_host dev/acpi_pm \
				   virtio/virtqueue virtio/virtio_pci \
				   virtio/virtio_blk
unit_deps_test_virtio_blk_pool	:= $(unit_deps_test_virtio_blk)
unit_deps_test_devices		:= bus machine devices devstate
unit_deps_test_uart16550	:= bus machine devices devstate dev/uart16550
unit_deps_test_uart16550	+= evloop irq console_out
unit_deps_test_debug_exit	:= bus machine devices devstate dev/debug_exit
unit_deps_test_rom		:= rom
unit_deps_test_memsize		:=
unit_deps_test_memmap		:= memmap
unit_deps_test_vcpu_exit	:= bus machine devices devstate vcpu_loop signals \
				   dev/uart16550 dev/debug_exit
unit_deps_test_vcpu_exit	+= evloop irq vcpu vcpu_threads console_out pause
unit_deps_test_evloop		:= machine bus evloop
unit_deps_test_console_out	:= machine bus evloop console_out
unit_deps_test_irq		:= machine bus irq
unit_deps_test_i8259		:= bus machine devices devstate irq dev/i8259
unit_deps_test_ioapic		:= bus machine devices devstate irq dev/ioapic
unit_deps_test_acpi		:= $(DEVMODEL_ACPI)
unit_deps_test_acpi_aml		:= acpi/aml acpi/aml_res
# The PC platform devices run on fake_platform.o (a fake clock and IRQ
# recorder standing in for evloop.o and irq.o).
unit_deps_test_i8254		:= bus machine devices devstate dev/i8254
unit_deps_test_rtc		:= bus machine devices devstate dev/rtc
unit_deps_test_i8042		:= bus machine devices devstate dev/i8042
unit_deps_test_acpi_pm		:= bus machine devices devstate dev/acpi_pm
unit_deps_test_pci		:= bus machine devices devstate pci/pci pci/pci_msi \
				   dev/pci_host dev/acpi_pm
UNIT_FAKE_PLATFORM_TESTS	:= test_i8254 test_rtc test_i8042 test_acpi_pm \
				   test_pci test_devstate test_pci_msi test_vmmdev \
				   test_virtio_pci test_virtio_blk test_options \
				   test_virtio_blk_pool
$(addprefix $(UNIT_OUT)/,$(UNIT_FAKE_PLATFORM_TESTS)): \
	$(UNIT_OUT)/fake_platform.o
# test_x86_emulate runs the kernel's instruction emulator (kernel/emulate/)
# on the host: those sources build against the stand-in kernel headers of
# kshim/, and the instructions come from the assembler (emul_cases.S).
EMUL_DIR	:= kernel/emulate
EMUL_UNIT_OBJS	:= $(patsubst $(EMUL_DIR)/%.c,$(UNIT_OUT)/emulate/%.o, \
		   $(wildcard $(EMUL_DIR)/*.c)) $(UNIT_OUT)/emul_cases.o \
		   $(UNIT_OUT)/emul_fake.o
EMUL_CFLAGS	= -I$(UNIT_DIR)/kshim -I$(EMUL_DIR) -Ikernel
$(UNIT_OUT)/test_x86_emulate: $(EMUL_UNIT_OBJS)
$(UNIT_OUT)/test_x86_emulate.o $(UNIT_OUT)/emul_fake.o: \
	UNIT_CFLAGS += $(EMUL_CFLAGS)
$(UNIT_OUT)/emulate/%.o: $(EMUL_DIR)/%.c
	@mkdir -p $(@D)
	$(CC) $(USER_CFLAGS) $(EMUL_CFLAGS) -Wframe-larger-than=512 \
		-MMD -MP -c -o $@ $<
$(UNIT_OUT)/emul_cases.o: $(UNIT_DIR)/emul_cases.S
	@mkdir -p $(@D)
	$(CC) -MMD -MP -c -o $@ $<

# The boot loaders (boot/boot.h); test_multiboot loads the test kernel.
unit_deps_test_e820		:= memmap guest_mem boot/e820
unit_deps_test_bzimage		:= memmap guest_mem $(DEVMODEL_BOOT)
unit_deps_test_multiboot	:= memmap guest_mem $(DEVMODEL_BOOT)
unit_deps_test_guest_mem	:= memmap guest_mem
# Every device class on the fake platform (its clock, timers and lines):
# each device's state saved and loaded into a fresh machine.
unit_deps_test_devstate		:= bus machine devices devstate console_out \
				   pci/pci pci/pci_msi $(DEVMODEL_DEVS)
# The system call filter, with libseccomp.
unit_deps_test_seccomp		:= bus machine devices devstate seccomp console
unit_libs_test_seccomp		:= -lseccomp -pthread
# A PCI device with MSI and MSI-X behind the host bridge.
unit_deps_test_pci_msi		:= bus machine devices devstate pci/pci pci/pci_msi \
				   dev/pci_host dev/acpi_pm
# The whole default PC, every device class linked in; its timers run for
# the pause test.
unit_deps_test_machine		:= bus machine devices devstate irq evloop console_out \
				   pause pci/pci pci/pci_msi $(DEVMODEL_DEVS)
$(UNIT_OUT)/test_multiboot: | $(MBTEST_ELF)
$(UNIT_OUT)/test_multiboot.o: \
	UNIT_CFLAGS += -DMBTEST_ELF='"$(CURDIR)/$(MBTEST_ELF)"'

# The settings file (userspace/lib/settings.c, in libvireo.a), against the
# golden file of its format.
unit_deps_test_settings		:=
unit_deps_test_release		:=
$(UNIT_OUT)/test_settings.o: \
	UNIT_CFLAGS += -DGOLDEN_DIR='"$(CURDIR)/$(UNIT_DIR)/golden"'

# VMMDev (userspace/vmmdev/) on the PCI bus, on the fake platform.
unit_deps_test_vmmdev		:= bus machine devices devstate guest_mem pci/pci \
				   pci/pci_msi dev/pci_host dev/acpi_pm
$(UNIT_OUT)/test_vmmdev: $(VMMDEV_OBJS)
unit_libs_test_vmmdev		:= $(LIBVIREO)
$(UNIT_OUT)/test_vmmdev.o: UNIT_CFLAGS += -I$(VMMDEV_DIR)

unit_deps_test_safetext		:=

# The control socket on a real socket, the default PC behind it.
unit_deps_test_control		:= control control_files control_guestprop pause requests bus machine devices devstate \
				   irq evloop \
				   console_out pci/pci pci/pci_msi $(DEVMODEL_DEVS)

# vireo-vm's wiring: options, CPUID tables, vCPU threads and the VM's end.
# virtio-blk's and virtio-net's classes too, for the disks and NICs of a
# --config (their keys checked); virtio-net brings its back ends.
unit_deps_test_options		:= options devices devstate bus machine guest_mem \
				   pci/pci pci/pci_msi virtio/virtqueue \
				   virtio/virtio_pci virtio/virtio_blk \
				   virtio/virtio_net $(DEVMODEL_NET)
unit_libs_test_options		:= $(NL_ROUTE_LIBS)
unit_deps_test_cpuid		:= cpuid
unit_deps_test_vcpu_threads	:= vcpu_threads signals machine bus pause devices devstate evloop

.PHONY: unit-tests

unit-tests: $(UNIT_BINS)

unit-check: unit-tests
	@failed=; for t in $(UNIT_BINS); do \
		echo "# $$t"; $$t || failed="$$failed $${t##*/}"; \
	done; \
	if [ -n "$$failed" ]; then echo "unit-check: FAILED:$$failed"; exit 1; fi; \
	echo "unit-check: all $(words $(UNIT_BINS)) test programs passed"

$(UNIT_OUT)/%.o: $(UNIT_DIR)/%.c
	@mkdir -p $(@D)
	$(CC) $(UNIT_CFLAGS) -MMD -MP -c -o $@ $<

.SECONDEXPANSION:
$(UNIT_BINS): $(UNIT_OUT)/%: $(UNIT_OUT)/%.o \
		$$(call devmodel_objs,$$(unit_deps_%)) $(LIBVIREO)
	$(CC) $(USER_CFLAGS) $(LDFLAGS) -o $@ $^ $(unit_libs_$*) $(LIB_LIBS)

# The whole PC entered from several threads while the event loop runs,
# built with ThreadSanitizer (gcc's, libtsan2 on Debian): a data race or a
# lock-order inversion between devices fails it.  Its objects are built
# apart, with the sanitizer.
TSAN_OUT	:= $(UNIT_OUT)/tsan
TSAN_CFLAGS	= $(USER_CFLAGS) -fsanitize=thread
TSAN_DEPS	:= bus machine devices devstate irq evloop console_out \
		   pci/pci pci/pci_msi $(DEVMODEL_DEVS)
TSAN_OBJS	:= $(patsubst %,$(TSAN_OUT)/%.o,$(TSAN_DEPS))
UNIT_BINS	+= $(UNIT_OUT)/test_machine_threads
unit-tests: $(UNIT_OUT)/test_machine_threads
$(TSAN_OUT)/%.o: $(DEVMODEL_DIR)/%.c
	@mkdir -p $(@D)
	$(CC) $(TSAN_CFLAGS) -MMD -MP -c -o $@ $<
$(TSAN_OUT)/test_machine_threads.o: $(UNIT_DIR)/test_machine_threads.c
	@mkdir -p $(@D)
	$(CC) $(TSAN_CFLAGS) -I$(DEVMODEL_DIR) -I$(UNIT_DIR) -MMD -MP \
		-c -o $@ $<
$(UNIT_OUT)/test_machine_threads: $(TSAN_OUT)/test_machine_threads.o \
		$(TSAN_OBJS)
	$(CC) $(TSAN_CFLAGS) $(LDFLAGS) -o $@ $^ -pthread

-include $(UNIT_BINS:=.d)
-include $(TSAN_OBJS:.o=.d) $(TSAN_OUT)/test_machine_threads.d
-include $(UNIT_OUT)/fake_platform.d
-include $(EMUL_UNIT_OBJS:.o=.d)
