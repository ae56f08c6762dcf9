# tests/linux/: the reference Linux guest (../shared/linux, never copied
# here) running HyperROM's own /init.
#   $(LINUX_INIT_CPIO)  /init (init.c: a static 32-bit program, no C
#                       library) packed as a newc cpio (Debian's cpio)
#   make run-linux      boot LINUX on the hypervisor with INITRD and APPEND

LINUX_INIT      := $(BUILD)/tests/linux/init
LINUX_INIT_CPIO := $(BUILD)/tests/linux/init.cpio
LINUX           ?= ../shared/linux/bzImage-noapic
INITRD          ?= $(LINUX_INIT_CPIO)
APPEND          ?= console=ttyS0
# A Linux user program: 32-bit, static, its own _start, no C library.
INIT_CFLAGS     := -std=c11 -Wall -Wextra -Werror -O2 -m32 -march=i686 -ffreestanding \
                   -nostdlib -static -fno-pie -no-pie -fno-stack-protector \
                   -fcf-protection=none -fno-asynchronous-unwind-tables

$(LINUX_INIT): tests/linux/init.c | $(DEPS_STAMP)
	$(call say,CC,$@)
	$(Q)mkdir -p $(@D)
	$(Q)$(CC32) $(INIT_CFLAGS) -o $@ $<

# The archive holds one file, "init", at its root (the kernel's built-in
# initramfs already has /dev/console).
$(LINUX_INIT_CPIO): $(LINUX_INIT)
	$(call say,CPIO,$@)
	$(Q)rm -rf $@.d && mkdir -p $@.d && cp $< $@.d/init
	$(Q)cd $@.d && echo init | cpio -o -H newc --quiet > ../$(@F)
	$(Q)rm -rf $@.d

ALL_TARGETS += $(LINUX_INIT_CPIO)
TEST_DEPS   += $(LINUX_INIT_CPIO)
test bench: $(LINUX_INIT_CPIO)

.PHONY: run-linux
run-linux: $(HV) $(ROM) $(LINUX_INIT_CPIO)
	$(call say,RUN,"$(LINUX) on $(HV)")
	$(Q)for f in "$(LINUX)" "$(INITRD)"; do test -r "$$f" || { echo "run-linux: $$f: no" \
	    "such readable file (LINUX=$(LINUX) INITRD=$(INITRD); ../shared/linux/README.md" \
	    "says where the reference kernel comes from)" >&2; exit 2; }; done
	$(Q)$(QEMU) -nodefaults -vga std -display none -no-reboot -monitor none \
	    -serial stdio -chardev file,id=hvcon,path=/dev/stderr -serial chardev:hvcon \
	    -m 128 -device isa-debug-exit,iobase=0xf4,iosize=4 -kernel $(HV) -append "$(HV_ARGS)" \
	    -initrd "$(LINUX) $(APPEND),$(ROM),$(INITRD)"; \
	st=$$?; case $$st in \
	  1) echo "run-linux: Linux's /init finished (exit 0)";; \
	  225) echo "run-linux: the hypervisor terminated the guest (QEMU status 225)"; exit 1;; \
	  227) echo "run-linux: hypervisor panic (QEMU status 227)"; exit 1;; \
	  *) echo "run-linux: QEMU exit status $$st (guest value $$(( (st - 1) / 2 )))"; exit 1;; \
	esac
