/*
 * asm-offsets.c - print spec/hyperrom.h as NASM %defines (host tool).
 *
 * NASM cannot read C, so the build runs this program and the ROM and the
 * hypervisor's assembly include its output.  Nothing in the assembly is
 * counted by hand: every offset and constant comes from the C header.
 */
#include <stdio.h>      /* printf */
#include "hyperrom.h"

#define DEF(name, value)  printf("%%define %-28s 0x%lx\n", #name, (unsigned long)(value))
#define OFF(prefix, type, field) \
    printf("%%define %-28s %lu\n", prefix "_" #field, (unsigned long)offsetof(type, field))

/* The header, PCIR, PnP and relocation layouts. */
static void structs(void)
{
    DEF(HDR_SIZE, sizeof(struct hyperrom_header));
    OFF("HDR", struct hyperrom_header, rom_length);
    OFF("HDR", struct hyperrom_header, rom_entry);
    OFF("HDR", struct hyperrom_header, hyper_signature);
    OFF("HDR", struct hyperrom_header, api_version_minor);
    OFF("HDR", struct hyperrom_header, api_version_major);
    OFF("HDR", struct hyperrom_header, jump_slots);
    OFF("HDR", struct hyperrom_header, virtual_top);
    OFF("HDR", struct hyperrom_header, license_offset);
    OFF("HDR", struct hyperrom_header, pci_header_offset);
    OFF("HDR", struct hyperrom_header, pnp_header_offset);
    OFF("HDR", struct hyperrom_header, reloc_table_offset);
    OFF("HDR", struct hyperrom_header, reloc_table_count);
    OFF("HDR", struct hyperrom_header, elf_header);
    DEF(PCIR_SIZE, sizeof(struct hyperrom_pcir));
    DEF(PNP_SIZE, sizeof(struct hyperrom_pnp));
    DEF(RELOC_ENTRY_SIZE, sizeof(struct hyperrom_reloc_entry));
    DEF(ELF_EHDR_SIZE, sizeof(struct hr_elf32_ehdr));
    DEF(ELF_SHDR_SIZE, sizeof(struct hr_elf32_shdr));
    DEF(ELF_SYM_SIZE, sizeof(struct hr_elf32_sym));
}

/* Plain constants the assembly uses. */
static void constants(void)
{
    DEF(HR_ROM_SIGNATURE, HR_ROM_SIGNATURE);
    DEF(HR_VMI_SIGNATURE, HR_VMI_SIGNATURE);
    DEF(HR_API_MAJOR, HR_API_MAJOR);
    DEF(HR_API_MINOR, HR_API_MINOR);
    DEF(HR_ROM_UNIT, HR_ROM_UNIT);
    DEF(HR_JUMP_SLOTS, HR_JUMP_SLOTS);
    DEF(HR_JUMP_SLOT_SIZE, HR_JUMP_SLOT_SIZE);
    DEF(HR_VMI_INIT_OFFSET, HR_VMI_INIT_OFFSET);
    DEF(HR_GET_RELOC_OFFSET, HR_GET_RELOC_OFFSET);
    DEF(HR_CODE_OFFSET, HR_CODE_OFFSET);
    DEF(HR_PCIR_SIGNATURE, HR_PCIR_SIGNATURE);
    DEF(HR_PCI_VENDOR_VMWARE, HR_PCI_VENDOR_VMWARE);
    DEF(HR_PCI_DEVICE_VMI, HR_PCI_DEVICE_VMI);
    DEF(HR_PCIR_REVISION, HR_PCIR_REVISION);
    DEF(HR_PCIR_CODE_X86, HR_PCIR_CODE_X86);
    DEF(HR_PCIR_LAST_IMAGE, HR_PCIR_LAST_IMAGE);
    DEF(HR_PNP_SIGNATURE, HR_PNP_SIGNATURE);
    DEF(HR_PNP_REVISION, HR_PNP_REVISION);
    DEF(HR_PNP_LENGTH_UNITS, HR_PNP_LENGTH_UNITS);
    DEF(HR_RELOC_NONE, HR_RELOC_NONE);
    DEF(HR_RELOC_CALL_REL, HR_RELOC_CALL_REL);
    DEF(HR_RELOC_JUMP_REL, HR_RELOC_JUMP_REL);
    DEF(HR_RELOC_NOP, HR_RELOC_NOP);
    DEF(HR_HYPERCALL_VECTOR, HR_HYPERCALL_VECTOR);
    DEF(HR_HC_INIT, HR_HC_INIT);
    DEF(HR_INIT_OK, HR_INIT_OK);
    DEF(HR_INIT_FAILED, (unsigned)HR_INIT_FAILED);
    DEF(VMI_INTERRUPTS_ENABLED, VMI_INTERRUPTS_ENABLED);
    DEF(VMI_PAGE_CURRENT_AS, VMI_PAGE_CURRENT_AS);
    DEF(VMI_FLUSH_TLB, VMI_FLUSH_TLB);
    DEF(VMI_FLUSH_GLOBAL, VMI_FLUSH_GLOBAL);
    DEF(VMI_CYCLES_REAL, VMI_CYCLES_REAL);
    DEF(VMI_CYCLES_AVAILABLE, VMI_CYCLES_AVAILABLE);
    DEF(VMI_CYCLES_STOLEN, VMI_CYCLES_STOLEN);
    DEF(HR_VIRTUAL_TOP, HR_VIRTUAL_TOP);
    DEF(HR_FLAT_KERNEL_CS, HR_FLAT_KERNEL_CS);
    DEF(HR_FLAT_KERNEL_DS, HR_FLAT_KERNEL_DS);
    DEF(HR_VCPU_AREA, HR_VCPU_AREA);
    OFF("VCPU", struct hr_vcpu_area, virt_if);
    OFF("VCPU", struct hr_vcpu_area, must_exit);
    DEF(HR_MUST_EXIT, HR_MUST_EXIT);
    OFF("VCPU", struct hr_vcpu_area, pending);
    OFF("VCPU", struct hr_vcpu_area, lazy_mode);
    OFF("VCPU", struct hr_vcpu_area, cr0);
    OFF("VCPU", struct hr_vcpu_area, cr2);
    OFF("VCPU", struct hr_vcpu_area, cr3);
    OFF("VCPU", struct hr_vcpu_area, cr4);
    OFF("VCPU", struct hr_vcpu_area, dr);
    OFF("VCPU", struct hr_vcpu_area, gdt_limit);
    OFF("VCPU", struct hr_vcpu_area, gdt_base);
    OFF("VCPU", struct hr_vcpu_area, idt_limit);
    OFF("VCPU", struct hr_vcpu_area, idt_base);
    OFF("VCPU", struct hr_vcpu_area, ldtr);
    OFF("VCPU", struct hr_vcpu_area, tr);
    OFF("VCPU", struct hr_vcpu_area, cycle_hz_lo);
    OFF("VCPU", struct hr_vcpu_area, cycle_hz_hi);
    OFF("VCPU", struct hr_vcpu_area, queued);
    OFF("VCPU", struct hr_vcpu_area, queue);
    DEF(HR_LAZY_QUEUE, HR_LAZY_QUEUE);
    DEF(HR_LAZY_ENTRY_SHIFT, HR_LAZY_ENTRY_SHIFT);
    OFF("LAZY", struct hr_lazy_entry, call);
    OFF("LAZY", struct hr_lazy_entry, arg);
    DEF(VMI_LAZY_NONE, VMI_LAZY_NONE);
    DEF(HR_DEBUG_REGS, HR_DEBUG_REGS);
    DEF(HR_CPUID_SIGNATURE, HR_CPUID_SIGNATURE);
    DEF(HR_CPUID_HV_LAST, HR_CPUID_SIGNATURE | ~HR_CPUID_HV_MASK);
    DEF(HR_CPUID_FIXED_LEAF, HR_CPUID_FIXED_LEAF);
    OFF("VCPU", struct hr_vcpu_area, iopl);
    DEF(HR_PT_LOG, HR_PT_LOG);
    DEF(HR_PT_LOG_ENTRIES, HR_PT_LOG_ENTRIES);
    DEF(HR_PT_LOG_ALLOC, HR_PT_LOG_ALLOC);
    DEF(HR_PT_LOG_RELEASE, HR_PT_LOG_RELEASE);
    DEF(HR_PT_LOG_WRITE4, HR_PT_LOG_WRITE4);
    DEF(HR_PT_LOG_WRITE8, HR_PT_LOG_WRITE8);
    DEF(PTLOG_ENTRY_SIZE, sizeof(struct hr_pt_log_entry));
    OFF("PTLOG", struct hr_pt_log, count);
    OFF("PTLOG", struct hr_pt_log, entry);
}

/* ELF constants for the header and tables the ROM carries. */
static void elf(void)
{
    DEF(HR_ELF_BASE, HR_ELF_BASE);
    DEF(HR_ELF_MAGIC, HR_ELF_MAGIC);
    DEF(HR_ELFCLASS32, HR_ELFCLASS32);
    DEF(HR_ELFDATA2LSB, HR_ELFDATA2LSB);
    DEF(HR_EV_CURRENT, HR_EV_CURRENT);
    DEF(HR_ET_EXEC, HR_ET_EXEC);
    DEF(HR_EM_386, HR_EM_386);
    DEF(HR_SHT_NULL, HR_SHT_NULL);
    DEF(HR_SHT_PROGBITS, HR_SHT_PROGBITS);
    DEF(HR_SHT_SYMTAB, HR_SHT_SYMTAB);
    DEF(HR_SHT_STRTAB, HR_SHT_STRTAB);
    DEF(HR_SHF_ALLOC, HR_SHF_ALLOC);
    DEF(HR_SHF_EXECINSTR, HR_SHF_EXECINSTR);
    DEF(HR_ST_GLOBAL_FUNC, HR_ST_INFO(HR_STB_GLOBAL, HR_STT_FUNC));
    DEF(HR_SEC_TEXT, HR_SEC_TEXT);
    DEF(HR_SEC_SYMTAB, HR_SEC_SYMTAB);
    DEF(HR_SEC_STRTAB, HR_SEC_STRTAB);
    DEF(HR_SEC_SHSTRTAB, HR_SEC_SHSTRTAB);
    DEF(HR_SEC_COUNT, HR_SEC_COUNT);
}

/* Call numbers, VMI_CALL_NAME_<n> strings and VMI_NAME_OF_<n> names for
 * loops over the calls. */
static void calls(void)
{
#define CALL_(num, name) \
    printf("%%define %-28s %d\n", "VMI_CALL_" #name, num); \
    printf("%%define VMI_CALL_NAME_%d \"" #name "\"\n", num); \
    printf("%%define VMI_NAME_OF_%d " #name "\n", num);
    HR_VMI_CALLS(CALL_)
#undef CALL_
    DEF(VMI_CALL_COUNT, VMI_CALL_COUNT);
    printf("%%define HR_SYMBOL_PREFIX \"%s\"\n", HR_SYMBOL_PREFIX);
}

int main(void)
{
    printf("; Generated from spec/hyperrom.h by spec/asm-offsets.c. Do not edit.\n");
    structs();
    constants();
    elf();
    calls();
    return 0;
}
