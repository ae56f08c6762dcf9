# HyperROM top-level Makefile: builds every part into $(BUILD)/, out of tree.
#   make          build everything        make run    boot the demo
#   make test     run every test          make V=1    show each command
# Each part adds its rules in its own fragment (rom/rom.mk, ...).

BUILD   ?= build
V       ?= 0
ifeq ($(V),1)
Q :=
else
Q := @
endif
.DELETE_ON_ERROR:
.SUFFIXES:
.DEFAULT_GOAL := all

# Host tools and host tests.
HOSTCC      ?= gcc
HOST_CFLAGS := -std=c11 -Wall -Wextra -Werror -O2 -g -Ispec

# Freestanding 32-bit code: the ROM's helpers, the guest and the hypervisor.
CC32        ?= gcc
CFLAGS32    := -std=c11 -Wall -Wextra -Werror -O2 -g -m32 -march=i686 \
               -ffreestanding -nostdlib -fno-pie -fno-pic \
               -fno-stack-protector -fcf-protection=none \
               -fno-asynchronous-unwind-tables -fno-builtin -Ispec
LD32        := ld -m elf_i386 -z noexecstack --no-warn-rwx-segments
NASM        ?= nasm

# Log one line per step unless V=1.
say = @printf '  %-7s %s\n' $(1) $(2)

ALL_TARGETS :=

# Debian packages the build and tests need, and a command each proves it.
PACKAGES    := nasm qemu-system-x86 seabios libc6-dev cpio
DEPS_CHECK  := command -v nasm && command -v qemu-system-i386 && command -v cpio && \
               test -f /usr/share/seabios/bios-256k.bin && test -f /usr/include/stdio.h
DEPS_STAMP  := $(BUILD)/.deps

# Install missing packages when root; otherwise say exactly what to run.
$(DEPS_STAMP):
	$(Q)mkdir -p $(BUILD)
	$(Q)if ! ( $(DEPS_CHECK) ) >/dev/null 2>&1; then \
	  if [ "$$(id -u)" = 0 ]; then \
	    echo "  DEPS    installing $(PACKAGES)"; \
	    apt-get update -qq && \
	    DEBIAN_FRONTEND=noninteractive apt-get install -y -qq \
	      --no-install-recommends $(PACKAGES) >/dev/null || exit 1; \
	  else \
	    echo "missing packages; run: sudo apt-get install --no-install-recommends $(PACKAGES)" >&2; \
	    exit 1; \
	  fi; \
	fi
	$(Q)touch $@

deps: $(DEPS_STAMP)

# Shell for a recipe: when the command $(1) fails, install the Debian
# packages $(2) (as root) or say what to run; $(3) names who needs them.
need_packages = if ! ( $(1) ) >/dev/null 2>&1; then \
	  if [ "$$(id -u)" = 0 ]; then \
	    echo "  DEPS    installing $(2)"; \
	    apt-get update -qq && \
	    DEBIAN_FRONTEND=noninteractive apt-get install -y -qq \
	      --no-install-recommends $(2) >/dev/null && ( $(1) ) >/dev/null 2>&1 || exit 1; \
	  else \
	    echo "$(3) needs packages; run: sudo apt-get install --no-install-recommends $(2)" >&2; \
	    exit 1; \
	  fi; \
	fi

include spec/spec.mk
include tools/romsum/romsum.mk
include rom/rom.mk
include hypervisor/hv.mk
include guest/guest.mk
include guest/rt/rt.mk
include guest/demo/demo.mk
include tests/guest/guest.mk
include tests/bench/bench.mk
include tests/shim/shim-tests.mk
include tests/romsum/romsum-tests.mk
include tests/tests.mk
include tests/linux/linux.mk
include tests/linux/klibc.mk
include tests/fuzz/fuzz.mk

.PHONY: all clean deps run help
all: $(ALL_TARGETS)

clean:
	rm -rf $(BUILD)

# make run: the demo guest (or GUEST=kernel.elf with GUEST_ARGS="...") on
# the hypervisor under QEMU + SeaBIOS, with ROMS (comma-separated) in its
# option-ROM space and HV_ARGS on the hypervisor's command line.
QEMU       ?= qemu-system-i386
comma      := ,
GUEST      ?= $(DEMO_ELF)
GUEST_ARGS ?=
ROMS       ?= $(ROM)
HV_ARGS    ?=
run: $(HV) $(ROM) $(DEMO_ELF)
	$(call say,RUN,"$(GUEST) on $(HV)")
	$(Q)for f in "$(GUEST)" $(subst $(comma), ,$(ROMS)); do \
	  test -f "$$f" -a -r "$$f" || { echo "run: $$f: no such readable file" \
	    "(GUEST=$(GUEST) ROMS=$(ROMS))" >&2; exit 2; }; done
	$(Q)$(QEMU) -nodefaults -vga std -display none -no-reboot -monitor none \
	    -serial stdio -chardev file,id=hvcon,path=/dev/stderr -serial chardev:hvcon \
	    -m 128 -device isa-debug-exit,iobase=0xf4,iosize=4 \
	    -kernel $(HV) -append "$(HV_ARGS)" -initrd "$(GUEST) $(GUEST_ARGS),$(ROMS)"; \
	st=$$?; case $$st in \
	  1) echo "run: the guest finished (exit 0)";; \
	  225) echo "run: the hypervisor terminated the guest (QEMU status 225)"; exit 1;; \
	  227) echo "run: hypervisor panic (QEMU status 227)"; exit 1;; \
	  *) echo "run: QEMU exit status $$st (guest value $$(( (st - 1) / 2 )))"; exit 1;; \
	esac

# make iso: a GRUB 2 rescue CD, $(ISO), that boots the same guest, ROMs and
# options as make run, through GRUB's multiboot and module commands
# (tests/grub/mkiso.sh); make run-iso boots it from QEMU's CD drive.  The
# test grub-iso boots it too, so make test needs GRUB's packages.
ISO          := $(BUILD)/hyperrom.iso
ISO_PACKAGES := grub-pc-bin grub-common xorriso mtools
ISO_CHECK    := command -v grub-mkrescue && command -v xorriso && \
                test -f /usr/lib/grub/i386-pc/multiboot.mod
ISO_STAMP    := $(BUILD)/.deps-iso
ISO_ARGS     := $(BUILD)/iso.args

$(ISO_STAMP): | $(DEPS_STAMP)
	$(Q)$(call need_packages,$(ISO_CHECK),$(ISO_PACKAGES),make iso)
	$(Q)touch $@

# The ISO's contents as one line, rewritten only when it changes.
$(ISO_ARGS): FORCE | $(DEPS_STAMP)
	$(Q)echo '$(HV) $(HV_ARGS) | $(GUEST) $(GUEST_ARGS) | $(ROMS)' > $@.new
	$(Q)cmp -s $@.new $@ && rm $@.new || mv $@.new $@

$(ISO): $(HV) $(ROM) $(DEMO_ELF) $(ISO_ARGS) tests/grub/mkiso.sh | $(ISO_STAMP)
	$(call say,ISO,$@)
	$(Q)tests/grub/mkiso.sh $@ $(HV) "$(HV_ARGS)" "$(GUEST)" "$(GUEST_ARGS)" \
	    $(subst $(comma), ,$(ROMS))

.PHONY: iso run-iso FORCE
FORCE:
iso: $(ISO)
test: $(ISO)

run-iso: $(ISO)
	$(call say,RUN,"$(ISO) (GRUB)")
	$(Q)$(QEMU) -nodefaults -vga std -display none -no-reboot -monitor none \
	    -serial stdio -chardev file,id=hvcon,path=/dev/stderr -serial chardev:hvcon \
	    -m 128 -device isa-debug-exit,iobase=0xf4,iosize=4 -cdrom $(ISO); \
	st=$$?; [ $$st = 1 ] && echo "run-iso: the guest finished (exit 0)" || \
	  { echo "run-iso: QEMU exit status $$st (see make run)"; exit 1; }

# make debug: QEMU stopped at its first instruction with its gdb stub on
# GDB_PORT, gdb attached with the hypervisor's, the guest's (GUEST, or
# GUEST_SYMS) and the ROMs' symbols (tools/debug/debug.sh); the consoles go
# to $(BUILD)/debug/.  Use hbreak: the hypervisor runs above F0000000h.
GDB_PORT  ?= 1234
GDB_STAMP := $(BUILD)/.deps-gdb
$(GDB_STAMP): | $(DEPS_STAMP)
	$(Q)$(call need_packages,command -v gdb,gdb,make debug)
	$(Q)touch $@

.PHONY: debug
test: $(GDB_STAMP)
debug: $(HV) $(ROM) $(DEMO_ELF) | $(GDB_STAMP)
	$(Q)GDB_PORT=$(GDB_PORT) GUEST_SYMS="$(GUEST_SYMS)" tools/debug/debug.sh $(BUILD)/debug \
	    $(HV) "$(HV_ARGS)" "$(GUEST)" "$(GUEST_ARGS)" "$(ROMS)"

# make help: every target and variable (tests/docs/help.sh checks that each
# .PHONY target and each ?= variable of the Makefiles is here).
define HELP_TEXT
Targets (everything is built in $$(BUILD)/, out of tree):
  all               build everything (the default)
  run               boot GUEST on the hypervisor under QEMU -kernel, with ROMS
  run-hv            the demo on the hypervisor through tests/lib/boot.sh
  run-native        the demo on QEMU + SeaBIOS, no ROM, no hypervisor
  run-native-rom    the demo with the ROM but no hypervisor (VMI_Init fails)
  run-linux         LINUX with INITRD and APPEND on the hypervisor
  run-linux-shell   LINUX with Debian's klibc user space, a shell on the console
  iso               a GRUB 2 rescue CD, $$(BUILD)/hyperrom.iso, booting what run boots
  run-iso           boot that CD under QEMU (-cdrom)
  debug             QEMU stopped at its first instruction, gdb attached with the
                    hypervisor's, the guest's and the ROMs' symbols
  test              every test (tests/run); T=name runs the tests whose name has it
  test-romsum       romsum's own tests only
  bench             the benchmark tables (README) and chart (tests/bench/bench.svg)
  fuzz              the libFuzzer harnesses, FUZZ_SECONDS each
  deps              install the Debian packages the build needs (as root)
  clean             remove $$(BUILD)
  help              this text
Variables (make VAR=value):
  BUILD=build       the build directory
  V=1               show each command
  GUEST=file        the guest kernel for run, iso, debug (default the demo)
  GUEST_ARGS="..."  its command line
  ROMS=a.rom,b.rom  the ROMs the hypervisor places (default $$(BUILD)/rom/vmi.rom)
  HV_ARGS="..."     the hypervisor's command line (guest_mem=, log=quiet, ...)
  GDB_PORT=1234     debug: the port of QEMU's gdb stub
  GUEST_SYMS=file   debug: the guest's symbols when GUEST is no ELF (its vmlinux)
  T=name            test: run only the tests whose name contains name
  LINUX=bzImage     run-linux, bench: the kernel (default ../shared/linux/bzImage-noapic)
  INITRD=file       run-linux: its initrd (default /init, tests/linux/init.c)
  APPEND="..."      run-linux: its command line (default console=ttyS0)
  FUZZ_SECONDS=10   fuzz: seconds per harness
  FUZZ_ARGS="..."   fuzz: extra libFuzzer options
  FUZZ_SKIP_KNOWN=1 fuzz: skip the invariants of findings already filed
  FUZZ_CC=clang     fuzz: the compiler with libFuzzer
  REPLAY_SAN=...    the sanitizers of the fuzz replay drivers in make test
  ROMSUM_TEST_SAN=... the sanitizers of romsum's test programs
  ROMSUM_TEST_ROM=file test-romsum: the ROM its tests read
  QEMU=qemu-system-i386  HOSTCC=gcc  CC32=gcc  NASM=nasm   the tools
endef
export HELP_TEXT
help:
	@echo "$$HELP_TEXT"
