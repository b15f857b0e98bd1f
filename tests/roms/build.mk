# SPDX-License-Identifier: GPL-2.0
#
# 64 KiB real-mode ROM images (boot with vireo-vm --rom): 16-bit code
# assembled with GNU as, linked flat by rom.ld.  Included by
# userspace/build.mk.

ROM_NAMES	:= hello triple rep_outs halt rom_write spin rom_gdt
ROM_IMAGES	:= $(patsubst %,$(BUILD)/roms/%.rom,$(ROM_NAMES))
ROM_OBJS	:= $(patsubst %,$(BUILD)/roms/%.o,$(ROM_NAMES))

.SECONDARY: $(ROM_OBJS)

roms: $(ROM_IMAGES)

$(BUILD)/roms/%.o: tests/roms/%.S
	@mkdir -p $(@D)
	$(AS) --32 -o $@ $<

# rom.ld pads to 64 KiB and fails the link when the code does not fit.
$(BUILD)/roms/%.rom: $(BUILD)/roms/%.o tests/roms/rom.ld
	$(LD) -m elf_i386 -T tests/roms/rom.ld --oformat binary -o $@ $<
	@test "$$(stat -c %s $@)" -eq 65536 || \
		{ echo "$@: not 65536 bytes" >&2; rm -f $@; exit 1; }
