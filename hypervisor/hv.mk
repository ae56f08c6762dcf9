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
HV_HDRS  := $(wildcard $(HV_DIRS:%=hypervisor/%/*.h)) $(ROMCHECK_H)
HV_C     := core/main core/console core/lib core/mem \
            traps/traps traps/gtlb traps/deliver traps/emulate traps/decode traps/cpuval traps/strio \
            segments/segments segments/segload segments/desc \
            memory/paging memory/mmu memory/shadow memory/ptwalk \
            vmi/hypercall vmi/hc_desc vmi/hc_cpu vmi/hc_iret vmi/hc_io vmi/hc_time \
            vmi/hc_mmu vmi/hc_apic vmi/lazy \
            devices/ports devices/vpic devices/vtimer devices/ioperm \
            devices/vpit devices/portb devices/vcmos devices/vkbc devices/wallclock devices/board \
            loaders/guest loaders/elf loaders/linux
HV_ASM   := core/boot core/entry vmi/fastcall
HV_OBJS  := $(HV_ASM:%=$(BUILD)/hypervisor/%.o) $(HV_C:%=$(BUILD)/hypervisor/%.o) \
            $(ROMCHECK_C:tools/romsum/%.c=$(BUILD)/hypervisor/romsum/%.o)
HV       := $(BUILD)/hypervisor/hypervisor.elf
HV_LD    := hypervisor/core/hv.ld
# No padding before loops and jump targets: the padding is executed, an
# instruction each time (what make bench counts), and the hypervisor's
# loops are too short to gain from aligned fetch on real CPUs.
HV_CFLAGS := $(CFLAGS32) $(HV_INCS) -Itools/romsum -falign-loops=1 -falign-jumps=1 -falign-labels=1

$(BUILD)/hypervisor/%.o: hypervisor/%.c $(HV_HDRS) $(SPEC_HDR) | $(DEPS_STAMP)
	$(call say,CC,$@)
	$(Q)mkdir -p $(@D)
	$(Q)$(CC32) $(HV_CFLAGS) -c -o $@ $<

$(BUILD)/hypervisor/romsum/%.o: tools/romsum/%.c $(ROMCHECK_H) $(SPEC_HDR) | $(DEPS_STAMP)
	$(call say,CC,$@)
	$(Q)mkdir -p $(@D)
	$(Q)$(CC32) $(HV_CFLAGS) -c -o $@ $<

# The C layouts the assembly reads (core/hvoffsets.c says how).
HV_OFFSETS := $(BUILD)/hypervisor/hvoffsets.inc
$(HV_OFFSETS): hypervisor/core/hvoffsets.c $(HV_HDRS) $(SPEC_HDR) | $(DEPS_STAMP)
	$(call say,GEN,$@)
	$(Q)mkdir -p $(@D)
	$(Q)$(CC32) $(HV_CFLAGS) -S -o $@.s $<
	$(Q)sed -n 's/.*"->\([A-Za-z0-9_]*\) \$$\{0,1\}\(-\{0,1\}[0-9]*\)\\n".*/%define \1 \2/p' $@.s > $@
	$(Q)test "$$(grep -c '^%define' $@)" = "$$(grep -c '"->' $@.s)" || \
	    { echo "$@: a DEF of $< did not become a %define" >&2; rm -f $@; exit 1; }
	$(Q)rm -f $@.s

$(BUILD)/hypervisor/%.o: hypervisor/%.asm $(SPEC_INC) $(HV_OFFSETS) | $(DEPS_STAMP)
	$(call say,NASM,$@)
	$(Q)mkdir -p $(@D)
	$(Q)$(NASM) -f elf32 -I$(dir $(SPEC_INC)) -I$(dir $(HV_OFFSETS)) -o $@ $<

$(HV): $(HV_OBJS) $(HV_LD)
	$(call say,LD,$@)
	$(Q)$(LD32) -T $(HV_LD) -o $@ $(HV_OBJS)
	$(Q)objdump -S $@ > $(@:.elf=.lst)
	$(Q)nm -n $@ > $(@:.elf=.sym)

ALL_TARGETS += $(HV)
