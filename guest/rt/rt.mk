# guest/rt/: the guest runtime (multiboot entry, console, printf, reports,
# traps and the try mechanism, descriptor tables) as librt.a plus the entry
# object, and $(call rt_kernel,...) to build a kernel from one C file.
# Needs the shim from guest/guest.mk ($(LIBVMI), $(GUEST_CFLAGS)): include
# that first, and this before any fragment that calls rt_kernel.

RT_DIR     := $(BUILD)/guest/rt
RT_LD      := guest/rt/kernel.ld
RT_ENTRY   := $(RT_DIR)/entry.o
RT_LIB     := $(RT_DIR)/librt.a
# -MMD: header dependencies; no loop distribution, or GCC turns the loops
# in string.c into calls to themselves.
RT_CFLAGS  := $(CFLAGS32) $(GUEST_CFLAGS) -Iguest/rt -MMD -MP \
              -fno-tree-loop-distribute-patterns
RT_LDFLAGS := -T $(RT_LD) --no-warn-rwx-segments
RT_OBJS    := $(patsubst guest/rt/%.c,$(RT_DIR)/%.o,$(wildcard guest/rt/*.c))

$(RT_DIR)/%.o: guest/rt/%.c | $(DEPS_STAMP)
	$(call say,CC,$@)
	$(Q)mkdir -p $(@D)
	$(Q)$(CC32) $(RT_CFLAGS) -c -o $@ $<

$(RT_ENTRY): guest/rt/entry.asm | $(DEPS_STAMP)
	$(call say,NASM,$@)
	$(Q)mkdir -p $(@D)
	$(Q)$(NASM) -f elf32 -g -o $@ $<

$(RT_LIB): $(RT_OBJS)
	$(call say,AR,$@)
	$(Q)rm -f $@
	$(Q)ar rcs $@ $^

-include $(RT_OBJS:.o=.d)

# $(eval $(call rt_kernel,ELF,SOURCE.c)): compile SOURCE.c, link it with
# the runtime and the shim into ELF, and leave an objdump -S listing
# (ELF minus .elf plus .lst) and an nm symbol file (.sym) beside it.
define rt_kernel
$(1:.elf=.o): $(2) | $(DEPS_STAMP)
	$$(call say,CC,$$@)
	$$(Q)mkdir -p $$(@D)
	$$(Q)$$(CC32) $$(RT_CFLAGS) -c -o $$@ $$<

-include $(1:.elf=.d)

$(1): $(1:.elf=.o) $(RT_ENTRY) $(RT_LIB) $(LIBVMI) $(RT_LD) guest/vmi_sites.ld
	$$(call say,LD,$$@)
	$$(Q)$$(LD32) $$(RT_LDFLAGS) -o $$@ $(RT_ENTRY) $(1:.elf=.o) \
	    --start-group $(RT_LIB) $(LIBVMI) --end-group
	$$(Q)objdump -S $$@ > $(1:.elf=.lst)
	$$(Q)nm -n $$@ > $(1:.elf=.sym)

ALL_TARGETS += $(1)
endef

ALL_TARGETS += $(RT_LIB) $(RT_ENTRY)
