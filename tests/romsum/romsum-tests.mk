# tests/romsum/: tests of romsum and of the shared ROM checker.
# Every test takes the same arguments: ROM ROMSUM (the C tests ignore
# ROMSUM) and prints PASS/FAIL lines; see tests/run.
#   $(BUILD)/tests/romsum/romcheck-test  each field of the FULL check, fuzzing
#   $(BUILD)/tests/romsum/romscan-test   the guest's scan and choice of ROM
#   tests/romsum/cli.sh                  romsum's command line
#   tests/romsum/real.sh                 the option ROMs Debian ships
#   tests/romsum/dump.sh                 a memory dump of QEMU + SeaBIOS
#   tests/romsum/hv-roms.sh              the hypervisor's foreign and bad ROMs
# The C tests are built with sanitizers so that any read outside an image
# aborts them; build with ROMSUM_TEST_SAN= where those are unavailable.

ROMSUM_TEST_DIR    := $(BUILD)/tests/romsum
ROMSUM_TEST_SAN    ?= -fsanitize=address,undefined -fno-sanitize-recover=all
ROMSUM_TEST_COMMON := tests/romsum/romtest.c $(ROMCHECK_C) tests/lib/check.c
ROMSUM_TEST_HDRS   := tests/romsum/romtest.h $(ROMCHECK_H) spec/hyperrom.h \
                      tests/lib/check.h
ROMSUM_TEST_BINS   := $(ROMSUM_TEST_DIR)/romcheck-test $(ROMSUM_TEST_DIR)/romscan-test
ROMSUM_TEST_ROM    ?= $(BUILD)/rom/vmi.rom

$(ROMSUM_TEST_BINS): $(ROMSUM_TEST_DIR)/%: tests/romsum/%.c $(ROMSUM_TEST_COMMON) \
                     $(ROMSUM_TEST_HDRS) | $(DEPS_STAMP)
	$(call say,HOSTCC,$@)
	$(Q)mkdir -p $(@D)
	$(Q)$(HOSTCC) $(HOST_CFLAGS) -Itools/romsum -Itests/lib $(ROMSUM_TEST_SAN) -o $@ $< \
	    $(ROMSUM_TEST_COMMON)

ROMSUM_TESTS := $(ROMSUM_TEST_BINS) tests/romsum/cli.sh tests/romsum/real.sh \
                tests/romsum/dump.sh tests/romsum/hv-roms.sh

# Run just these tests: make test-romsum
.PHONY: test-romsum
test-romsum: $(ROMSUM_TESTS) $(ROMSUM_TEST_ROM) $(ROMSUM) $(HV) $(DEMO_ELF)
	$(Q)st=0; for t in $(ROMSUM_TESTS); do \
	  $$t $(ROMSUM_TEST_ROM) $(ROMSUM) || st=1; done; exit $$st
