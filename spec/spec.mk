# spec/: the NASM view of spec/hyperrom.h, generated, never hand-written.

SPEC_HDR := spec/hyperrom.h
SPEC_INC := $(BUILD)/spec/hyperrom.inc

$(BUILD)/spec/asm-offsets: spec/asm-offsets.c $(SPEC_HDR) | $(DEPS_STAMP)
	$(call say,HOSTCC,$@)
	$(Q)mkdir -p $(@D)
	$(Q)$(HOSTCC) $(HOST_CFLAGS) -o $@ $<

$(SPEC_INC): $(BUILD)/spec/asm-offsets
	$(call say,GEN,$@)
	$(Q)$< > $@

ALL_TARGETS += $(SPEC_INC)
