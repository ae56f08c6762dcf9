# hypervisor/: the bare-metal HyperROM hypervisor (multiboot ELF32), one
# folder per subsystem:
#   core/      start-up, trap entry, console, memory, the shared headers
#   traps/     the dispatcher, delivering events to the guest, trap-and-emulate
#   segments/  the real GDT/LDT, descriptor validation, segment loads
#   memory/    the CPU's page tables, the shadow MMU, the guest page walk
#   vmi/       the VMI call handlers
#   devices/   the port model, virtual PIC and timers, the I/O permission check
#   loaders/   building the guest: multiboot ELF and Linux boot protocol

HV_DIRS  := core traps segments memory vmi devices loaders
HV_INCS  := $(HV_DIRS:%=-Ihypervisor/%)
HV_HDRS  := $(wildcard $(HV_DIRS:%=hypervisor/%/*.h)) tools/romsum/romcheck.h
HV_C     := core/main core/console core/lib core/mem \
            traps/traps traps/gtlb traps/deliver traps/emulate traps/decode traps/cpuval traps/strio \
            segments/segments segments/segload segments/desc \
            memory/paging memory/mmu memory/shadow memory/ptwalk \
            vmi/hypercall vmi/hc_desc vmi/hc_cpu vmi/hc_iret vmi/hc_io vmi/hc_time \
            vmi/hc_mmu vmi/hc_apic vmi/lazy \
            devices/ports devices/vpic devices/vtimer devices/ioperm \
            devices/vpit devices/portb devices/vcmos devices/vkbc devices/wallclock devices/board \
            loaders/guest loaders/elf loaders/linux
HV_ASM   := core/boot core/entry
HV_OBJS  := $(HV_ASM:%=$(BUILD)/hypervisor/%.o) $(HV_C:%=$(BUILD)/hypervisor/%.o) \
            $(BUILD)/hypervisor/romcheck.o
HV       := $(BUILD)/hypervisor/hypervisor.elf
HV_LD    := hypervisor/core/hv.ld
HV_CFLAGS := $(CFLAGS32) $(HV_INCS) -Itools/romsum

$(BUILD)/hypervisor/%.o: hypervisor/%.c $(HV_HDRS) $(SPEC_HDR) | $(DEPS_STAMP)
	$(call say,CC,$@)
	$(Q)mkdir -p $(@D)
	$(Q)$(CC32) $(HV_CFLAGS) -c -o $@ $<

$(BUILD)/hypervisor/romcheck.o: tools/romsum/romcheck.c tools/romsum/romcheck.h $(SPEC_HDR) | $(DEPS_STAMP)
	$(call say,CC,$@)
	$(Q)mkdir -p $(@D)
	$(Q)$(CC32) $(HV_CFLAGS) -c -o $@ $<

$(BUILD)/hypervisor/%.o: hypervisor/%.asm $(SPEC_INC) | $(DEPS_STAMP)
	$(call say,NASM,$@)
	$(Q)mkdir -p $(@D)
	$(Q)$(NASM) -f elf32 -I$(dir $(SPEC_INC)) -I$(BUILD)/hypervisor/ -o $@ $<

# The C layouts entry.asm's exception fast path reads (traps/exc-offsets.c):
# compiled to assembly, its "->NAME value" lines become %defines.
HV_EXC_OFFSETS := $(BUILD)/hypervisor/exc-offsets.inc
$(HV_EXC_OFFSETS): hypervisor/traps/exc-offsets.c $(HV_HDRS) $(SPEC_HDR) | $(DEPS_STAMP)
	$(call say,GEN,$@)
	$(Q)mkdir -p $(@D)
	$(Q)$(CC32) $(HV_CFLAGS) -S -o $@.s $<
	$(Q)sed -n 's/^[[:space:]]*\.ascii[[:space:]]*"->\([A-Z_0-9]*\) \$$\{0,1\}\(-\{0,1\}[0-9]*\)"$$/%define \1 \2/p' $@.s > $@
	$(Q)test "$$(grep -c '^%define' $@)" = "$$(grep -c '"->' $@.s)" || \
	    { echo "$@: a DEF of $< did not become a %define" >&2; rm -f $@; exit 1; }
	$(Q)rm -f $@.s
$(BUILD)/hypervisor/core/entry.o: $(HV_EXC_OFFSETS)

$(HV): $(HV_OBJS) $(HV_LD)
	$(call say,LD,$@)
	$(Q)$(LD32) -T $(HV_LD) -o $@ $(HV_OBJS)
	$(Q)objdump -S $@ > $(@:.elf=.lst)
	$(Q)nm -n $@ > $(@:.elf=.sym)

ALL_TARGETS += $(HV)
