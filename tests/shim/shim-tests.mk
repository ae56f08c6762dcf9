# tests/shim/: host unit tests of the guest shim's portable parts, built
# from the very files libvmi.a is built from, and a guest test kernel for
# the calls tests/guest/ops.c leaves out.  Rows for tests/host.cfg:
#   shim-detect   $BUILD/tests/shim/detect-test $BUILD/rom/vmi.rom
#   shim-patch    $BUILD/tests/shim/patch-test
# and for tests/guest.cfg:
#   shim-calls    tests/shim/calls.elf   native,native-rom
# Include after guest/rt/rt.mk (the kernel is built with rt_kernel).

SHIM_TEST_DIR    := $(BUILD)/tests/shim
SHIM_TESTS       := $(SHIM_TEST_DIR)/detect-test $(SHIM_TEST_DIR)/patch-test
SHIM_TEST_CFLAGS := $(HOST_CFLAGS) -Iguest -Itools/romsum -Itests/lib
SHIM_TEST_HDRS   := guest/vmi.h guest/vmi_impl.h spec/hyperrom.h \
                    $(ROMCHECK_H) tests/lib/check.h

$(SHIM_TEST_DIR)/detect-test: tests/shim/detect-test.c guest/vmi_detect.c \
        $(ROMCHECK_C) tests/lib/check.c $(SHIM_TEST_HDRS) | $(DEPS_STAMP)
	$(call say,HOSTCC,$@)
	$(Q)mkdir -p $(@D)
	$(Q)$(HOSTCC) $(SHIM_TEST_CFLAGS) -o $@ $(filter %.c,$^)

$(SHIM_TEST_DIR)/patch-test: tests/shim/patch-test.c guest/vmi_patch.c \
        tests/lib/check.c $(SHIM_TEST_HDRS) | $(DEPS_STAMP)
	$(call say,HOSTCC,$@)
	$(Q)mkdir -p $(@D)
	$(Q)$(HOSTCC) $(SHIM_TEST_CFLAGS) -o $@ $(filter %.c,$^)

SHIM_KERNELS := $(SHIM_TEST_DIR)/calls.elf
$(eval $(call rt_kernel,$(SHIM_TEST_DIR)/calls.elf,tests/shim/calls.c))

ALL_TARGETS += $(SHIM_TESTS)
