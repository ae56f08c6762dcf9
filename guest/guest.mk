# guest/: the VMI guest shim.  Every guest kernel links $(LIBVMI) and
# compiles with $(GUEST_CFLAGS) to include guest/vmi.h; its linker script
# INCLUDEs guest/vmi_sites.ld.  libvmi.a = the shim's C files, the native
# stubs (native.asm) and the shared ROM checker ($(ROMCHECK_C)).

export LIBVMI       := $(BUILD)/guest/libvmi.a
export GUEST_CFLAGS := -Iguest -Ispec

SHIM_DIR    := $(BUILD)/guest/shim
SHIM_C      := vmi_setup vmi_detect vmi_bind vmi_patch
SHIM_HDRS   := guest/vmi.h guest/vmi_impl.h spec/hyperrom.h $(ROMCHECK_H)
SHIM_OBJS   := $(SHIM_C:%=$(SHIM_DIR)/%.o) $(SHIM_DIR)/native.o \
               $(ROMCHECK_C:tools/romsum/%.c=$(SHIM_DIR)/romsum/%.o)
SHIM_CFLAGS := $(CFLAGS32) -Iguest -Itools/romsum

$(SHIM_DIR)/%.o: guest/%.c $(SHIM_HDRS) | $(DEPS_STAMP)
	$(call say,CC32,$@)
	$(Q)mkdir -p $(@D)
	$(Q)$(CC32) $(SHIM_CFLAGS) -c -o $@ $<

$(SHIM_DIR)/romsum/%.o: tools/romsum/%.c $(SHIM_HDRS) | $(DEPS_STAMP)
	$(call say,CC32,$@)
	$(Q)mkdir -p $(@D)
	$(Q)$(CC32) $(SHIM_CFLAGS) -c -o $@ $<

$(SHIM_DIR)/native.o: guest/native.asm $(SPEC_INC) | $(DEPS_STAMP)
	$(call say,NASM,$@)
	$(Q)mkdir -p $(@D)
	$(Q)$(NASM) -f elf32 -I$(dir $(SPEC_INC)) -o $@ $<

# The archive must be freestanding: linked whole, the only symbols it may
# leave undefined are the weak site brackets the kernel's script defines.
$(LIBVMI): $(SHIM_OBJS)
	$(call say,AR,$@)
	$(Q)rm -f $@
	$(Q)ar rcs $@ $^
	$(Q)$(LD32) -r -o $(SHIM_DIR)/whole.o --whole-archive $@
	$(Q)undef=$$(nm -u $(SHIM_DIR)/whole.o | grep -v ' w '); \
	if [ -n "$$undef" ]; then \
	  echo "$@: not freestanding, needs: $$undef" >&2; rm -f $@; exit 1; fi

ALL_TARGETS += $(LIBVMI)
