# rom/: the VMI option ROM.  NASM assembles the raw image (with a listing
# and a symbol map beside it); romsum build pads, fills and checksums it.

ROM_SRCS := rom/vmi.asm rom/entries.inc rom/tables.inc
ROM_RAW  := $(BUILD)/rom/vmi.raw
ROM      := $(BUILD)/rom/vmi.rom

$(ROM_RAW): $(ROM_SRCS) $(SPEC_INC) | $(DEPS_STAMP)
	$(call say,NASM,$@)
	$(Q)mkdir -p $(@D)
	$(Q)$(NASM) -f bin -I$(dir $(SPEC_INC)) -Irom/ \
	    -DMAPFILE=$(BUILD)/rom/vmi.map -l $(BUILD)/rom/vmi.lst -o $@ $<

$(ROM): $(ROM_RAW) $(ROMSUM)
	$(call say,ROMSUM,$@)
	$(Q)$(ROMSUM) build --vmi $< $@

# The ROM's embedded ELF (spec 7: its bytes from offset 64) as a file, for
# readelf and gdb; its addresses are ROM offsets.
ROM_ELF  := $(BUILD)/rom/vmi.elf
$(ROM_ELF): $(ROM)
	$(call say,ELF,$@)
	$(Q)tail -c +65 $< > $@

ALL_TARGETS += $(ROM) $(ROM_ELF)
