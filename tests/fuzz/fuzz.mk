# tests/fuzz/: coverage-guided fuzzing with libFuzzer (Debian's clang) of
# the parts that read untrusted bytes; see tests/fuzz/README.md.
#   make fuzz                    build every harness, run each FUZZ_SECONDS
#   make fuzz FUZZ_SECONDS=600   a long run; FUZZ_ARGS= adds libFuzzer options
#   make fuzz FUZZ_SKIP_KNOWN=1  skip invariants of findings already filed
# make test replays the seed corpus and every regression input through
# the same harnesses built with $(HOSTCC) and replay.c (tests/host.cfg).
# Each harness is built from the project's own sources, never copies.

FUZZ_NAMES      := romsum detect decode desc cpuval ioperm walk segments
FUZZ_DIR        := $(BUILD)/tests/fuzz
FUZZ_SECONDS    ?= 10
FUZZ_ARGS       ?=
FUZZ_SKIP_KNOWN ?= 0
FUZZ_CC         ?= clang
FUZZ_SAN        := -fsanitize=fuzzer,address,undefined -fno-sanitize-recover=all
FUZZ_CFLAGS     := -std=c11 -Wall -Wextra -Werror -O2 -g -Ispec -Itests/fuzz \
                   -DFUZZ_SKIP_KNOWN=$(FUZZ_SKIP_KNOWN)
REPLAY_SAN      ?= -fsanitize=address,undefined -fno-sanitize-recover=all
REPLAY_CFLAGS   := $(HOST_CFLAGS) -Itests/fuzz
FUZZ_HDRS       := tests/fuzz/fuzz.h $(SPEC_HDR)

# Per harness: the project files it links (SRCS), includes (INCS) and
# depends on (DEPS), extra compiler flags (CFLAGS) and libFuzzer options.
# romsum and detect spend most of their time in romcheck's bounds checks;
# tracing those comparisons made them 3x slower for nothing, and their
# seeds carry the magic values the tracing would find.
FUZZ_SRCS_romsum   := $(ROMCHECK_C)
FUZZ_INCS_romsum   := -Itools/romsum
FUZZ_DEPS_romsum   := tools/romsum/romsum.c $(ROMCHECK_SRCS)
FUZZ_CFLAGS_romsum := -fno-sanitize-coverage=trace-cmp
FUZZ_OPTS_romsum   := -max_len=6144
FUZZ_SRCS_detect   := guest/vmi_detect.c $(ROMCHECK_C)
FUZZ_INCS_detect   := -Iguest -Itools/romsum
FUZZ_DEPS_detect   := $(SHIM_HDRS) $(ROMCHECK_SRCS)
FUZZ_CFLAGS_detect := -fno-sanitize-coverage=trace-cmp
FUZZ_OPTS_detect   := -max_len=10240
FUZZ_SRCS_decode   := hypervisor/traps/decode.c
FUZZ_INCS_decode   := $(HV_INCS)
FUZZ_DEPS_decode   := $(HV_HDRS)
FUZZ_OPTS_decode   := -max_len=64
FUZZ_SRCS_desc     := hypervisor/segments/desc.c
FUZZ_INCS_desc     := $(HV_INCS)
FUZZ_DEPS_desc     := $(HV_HDRS)
FUZZ_OPTS_desc     := -max_len=64
FUZZ_SRCS_cpuval   := hypervisor/traps/cpuval.c
FUZZ_INCS_cpuval   := $(HV_INCS)
FUZZ_DEPS_cpuval   := $(HV_HDRS)
FUZZ_OPTS_cpuval   := -max_len=64
FUZZ_SRCS_ioperm   := hypervisor/devices/ioperm.c hypervisor/segments/desc.c
FUZZ_INCS_ioperm   := $(HV_INCS) -Itests/hv
FUZZ_DEPS_ioperm   := $(HV_HDRS) tests/hv/ioperm-ref.h
FUZZ_OPTS_ioperm   := -max_len=512
FUZZ_SRCS_walk     := hypervisor/memory/ptwalk.c
FUZZ_INCS_walk     := $(HV_INCS)
FUZZ_DEPS_walk     := $(HV_HDRS)
FUZZ_OPTS_walk     := -max_len=1024
FUZZ_SRCS_segments := hypervisor/segments/desc.c
FUZZ_INCS_segments := $(HV_INCS)
FUZZ_DEPS_segments := $(HV_HDRS) hypervisor/segments/segments.c
FUZZ_OPTS_segments := -max_len=1024

FUZZ_BINS    := $(FUZZ_NAMES:%=$(FUZZ_DIR)/fuzz-%)
FUZZ_REPLAYS := $(FUZZ_NAMES:%=$(FUZZ_DIR)/replay-%)

# clang with libFuzzer and the sanitizer runtimes: install them when root.
FUZZ_PACKAGES   := clang libclang-rt-14-dev
FUZZ_DEPS_STAMP := $(BUILD)/.fuzz-deps
FUZZ_PROBE      := $(BUILD)/.fuzz-probe
$(FUZZ_DEPS_STAMP): | $(DEPS_STAMP)
	$(Q)probe() { printf 'int LLVMFuzzerTestOneInput(const char *d, long n)%s\n' \
	    '{ (void)d; (void)n; return 0; }' | \
	    $(FUZZ_CC) $(FUZZ_SAN) -x c -o $(FUZZ_PROBE) - && rm -f $(FUZZ_PROBE); }; \
	if ! probe >/dev/null 2>&1; then \
	  if [ "$$(id -u)" = 0 ]; then \
	    echo "  DEPS    installing $(FUZZ_PACKAGES)"; \
	    apt-get update -qq && \
	    DEBIAN_FRONTEND=noninteractive apt-get install -y -qq \
	      --no-install-recommends $(FUZZ_PACKAGES) >/dev/null && probe || exit 1; \
	  else \
	    echo "make fuzz needs libFuzzer; run: sudo apt-get install --no-install-recommends $(FUZZ_PACKAGES)" >&2; \
	    exit 1; \
	  fi; \
	fi
	$(Q)touch $@

# The libFuzzer binary and the replay driver of harness $(1).
define fuzz_harness
$(FUZZ_DIR)/fuzz-$(1): tests/fuzz/fuzz-$(1).c $(FUZZ_SRCS_$(1)) $(FUZZ_DEPS_$(1)) \
                       $(FUZZ_HDRS) | $(FUZZ_DEPS_STAMP)
	$$(call say,FUZZCC,$$@)
	$(Q)mkdir -p $$(@D)
	$(Q)$(FUZZ_CC) $(FUZZ_CFLAGS) $(FUZZ_SAN) $(FUZZ_INCS_$(1)) $(FUZZ_CFLAGS_$(1)) \
	    -o $$@ tests/fuzz/fuzz-$(1).c $(FUZZ_SRCS_$(1))

$(FUZZ_DIR)/replay-$(1): tests/fuzz/replay.c tests/fuzz/fuzz-$(1).c $(FUZZ_SRCS_$(1)) \
                         $(FUZZ_DEPS_$(1)) $(FUZZ_HDRS) | $(DEPS_STAMP)
	$$(call say,HOSTCC,$$@)
	$(Q)mkdir -p $$(@D)
	$(Q)$(HOSTCC) $(REPLAY_CFLAGS) $(REPLAY_SAN) $(FUZZ_INCS_$(1)) -DFUZZ_NAME='"$(1)"' \
	    -o $$@ tests/fuzz/replay.c tests/fuzz/fuzz-$(1).c $(FUZZ_SRCS_$(1))
endef
$(foreach n,$(FUZZ_NAMES),$(eval $(call fuzz_harness,$(n))))

# Run every harness in turn (one at a time: they each take a core); fail
# if any crashed, after all have run.
.PHONY: fuzz
fuzz: $(FUZZ_BINS)
	$(Q)st=0; $(foreach n,$(FUZZ_NAMES),tests/fuzz/run.sh $(n) $(FUZZ_DIR) \
	    $(FUZZ_SECONDS) $(FUZZ_OPTS_$(n)) $(FUZZ_ARGS) || st=1;) exit $$st

TEST_DEPS   += $(FUZZ_REPLAYS)
ALL_TARGETS += $(FUZZ_REPLAYS)
test: $(FUZZ_REPLAYS)
