# tools/romsum/: the host tool that builds, checks, describes and scans ROMs,
# and the freestanding checker the guest and hypervisor share: romcheck.c
# (a HyperROM image), romfw.c (any option ROM), romscan.c (the ROM area).

ROMSUM      := $(BUILD)/tools/romsum/romsum
ROMCHECK32  := $(BUILD)/tools/romsum/romcheck32.o
ROMCHECK_C  := tools/romsum/romcheck.c tools/romsum/romfw.c tools/romsum/romscan.c
ROMCHECK_H  := tools/romsum/romcheck.h tools/romsum/romcheck_int.h
ROMCHECK_SRCS := $(ROMCHECK_C) $(ROMCHECK_H) spec/hyperrom.h

$(ROMSUM): tools/romsum/romsum.c $(ROMCHECK_SRCS) | $(DEPS_STAMP)
	$(call say,HOSTCC,$@)
	$(Q)mkdir -p $(@D)
	$(Q)$(HOSTCC) $(HOST_CFLAGS) -o $@ tools/romsum/romsum.c $(ROMCHECK_C)

# The same checker built as guest/hypervisor code, its files linked into
# one object: it must compile under CFLAGS32 and reference no symbol it
# does not define (no libc, no libgcc).
$(ROMCHECK32): $(ROMCHECK_SRCS) | $(DEPS_STAMP)
	$(call say,CC32,$@)
	$(Q)mkdir -p $(@D)
	$(Q)for f in $(ROMCHECK_C); do \
	  $(CC32) $(CFLAGS32) -c -o $(@D)/$$(basename $$f .c)-32.o $$f || exit 1; done
	$(Q)$(LD32) -r -o $@ $(patsubst tools/romsum/%.c,$(@D)/%-32.o,$(ROMCHECK_C))
	$(Q)undef=$$(nm -u $@); if [ -n "$$undef" ]; then \
	  echo "$@: not freestanding, needs: $$undef" >&2; rm -f $@; exit 1; fi

ALL_TARGETS += $(ROMSUM) $(ROMCHECK32)
