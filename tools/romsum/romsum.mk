# tools/romsum/: the host tool that builds, checks, describes and scans ROMs,
# and the freestanding checker (romcheck.c) the guest and hypervisor share.

ROMSUM      := $(BUILD)/tools/romsum/romsum
ROMCHECK32  := $(BUILD)/tools/romsum/romcheck32.o
ROMCHECK_SRCS := tools/romsum/romcheck.c tools/romsum/romcheck.h spec/hyperrom.h

$(ROMSUM): tools/romsum/romsum.c $(ROMCHECK_SRCS) | $(DEPS_STAMP)
	$(call say,HOSTCC,$@)
	$(Q)mkdir -p $(@D)
	$(Q)$(HOSTCC) $(HOST_CFLAGS) -o $@ tools/romsum/romsum.c tools/romsum/romcheck.c

# The same checker built as guest/hypervisor code: it must compile under
# CFLAGS32 and reference no symbol it does not define (no libc, no libgcc).
$(ROMCHECK32): $(ROMCHECK_SRCS) | $(DEPS_STAMP)
	$(call say,CC32,$@)
	$(Q)mkdir -p $(@D)
	$(Q)$(CC32) $(CFLAGS32) -c -o $@ tools/romsum/romcheck.c
	$(Q)undef=$$(nm -u $@); if [ -n "$$undef" ]; then \
	  echo "$@: not freestanding, needs: $$undef" >&2; rm -f $@; exit 1; fi

ALL_TARGETS += $(ROMSUM) $(ROMCHECK32)
