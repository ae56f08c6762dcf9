# hypervisor/: the bare-metal HyperROM hypervisor (multiboot ELF32).

HV_C     := main console lib mem segments desc traps paging guest hypercall \
            hc_desc hc_cpu hc_iret hc_io hc_time ports emulate decode \
            vpic vtimer deliver cpuval elf linux mmu hc_mmu hc_apic ioperm ptwalk segload
HV_ASM   := boot entry
HV_OBJS  := $(HV_ASM:%=$(BUILD)/hypervisor/%.o) $(HV_C:%=$(BUILD)/hypervisor/%.o) \
            $(BUILD)/hypervisor/romcheck.o
HV       := $(BUILD)/hypervisor/hypervisor.elf
HV_CFLAGS := $(CFLAGS32) -Ihypervisor -Itools/romsum

$(BUILD)/hypervisor/%.o: hypervisor/%.c $(wildcard hypervisor/*.h) $(SPEC_HDR) | $(DEPS_STAMP)
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
	$(Q)$(NASM) -f elf32 -I$(dir $(SPEC_INC)) -o $@ $<

$(HV): $(HV_OBJS) hypervisor/hv.ld
	$(call say,LD,$@)
	$(Q)$(LD32) -T hypervisor/hv.ld -o $@ $(HV_OBJS)
	$(Q)objdump -S $@ > $(@:.elf=.lst)
	$(Q)nm -n $@ > $(@:.elf=.sym)

ALL_TARGETS += $(HV)
