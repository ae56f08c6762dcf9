; vmi.asm - the HyperROM VMI option ROM (VMI API 3.0).
;
; Two kinds of code live here.  The 16-bit init entry runs once, in real
; mode, when the host firmware (SeaBIOS) initialises option ROMs.  Everything
; else is 32-bit code that runs inside the guest, at the guest kernel's
; privilege level, wherever the guest maps the ROM: it is position
; independent and finds itself with call/pop.
;
; Layout: the header (every offset from spec/hyperrom.h through the generated
; hyperrom.inc), the two jump points, the entry points, the data tables, and
; the ELF section/symbol tables the header's ELF32 header locates.  romsum
; build fills romLength, the PCIR image length, the PnP checksum and the final
; checksum byte; virtual_top stays 0 until a hypervisor places the ROM.

%include "hyperrom.inc"

%define ROM_VERSION_MAJOR 1        ; PCIR "revision level of code"
%define ROM_VERSION_MINOR 0
%define PCI_CLASS_OTHER_SYSTEM 0x00, 0x80, 0x08 ; prog-if, sub-class, base
%define CPL_MASK          3        ; low bits of CS: current privilege level
%define GUEST_CPL         1        ; a HyperROM guest kernel runs in ring 1
%define EFLAGS_NT         0x4000   ; nested task (Intel SDM vol. 3, 2.3): never given to a guest
%define EFLAGS_IOPL       0x3000   ; I/O privilege level (SDM vol. 1, 3.4.3.3)
%define EFLAGS_IF         0x0200   ; interrupt enable flag (SDM vol. 1, 3.4.3.3)
%define RPL_USER_BIT      2        ; RPL 3 has it, the kernel's RPL 1 not

%ifdef MAPFILE
[map symbols MAPFILE]
%endif

; Stop the build if the next byte is not at the C header's offset.
%macro AT 1
%if ($ - rom_start) != (%1)
%error "field lands at a different offset than spec/hyperrom.h says"
%endif
%endmacro

        bits 16
        org 0
rom_start:

; ---------------------------------------------------------------------
; The header (128 bytes).  Offsets are asserted against the C header.
; ---------------------------------------------------------------------
        dw HR_ROM_SIGNATURE             ; @0  romSignature
        AT HDR_rom_length
        db 0                            ; @2  romLength: romsum build
        AT HDR_rom_entry
rom_entry:
        jmp near init16                 ; @3  romEntry[4]: E9 rel16 ...
        nop                             ;     ... and one pad byte
        db 0                            ; @7  romPad0
        AT HDR_hyper_signature
        dd HR_VMI_SIGNATURE             ; @8  hyperSignature "cVmi"
        AT HDR_api_version_minor
        db HR_API_MINOR                 ; @12 APIVersionMinor
        db HR_API_MAJOR                 ; @13 APIVersionMajor
        AT HDR_jump_slots
        db HR_JUMP_SLOTS                ; @14 number of jump slots
        db 0                            ; @15 reserved1
        AT HDR_virtual_top
        dd 0                            ; @16 virtual_top: the hypervisor's
        dw 0                            ; @20 reserved3
        AT HDR_license_offset
        dw license                      ; @22 license string
        AT HDR_pci_header_offset
        dw pcir                         ; @24 PCI data structure
        AT HDR_pnp_header_offset
        dw pnp                          ; @26 PnP expansion header
        dd 0                            ; @28 romPad3
        AT HDR_reloc_table_offset
        dw reloc_table                  ; @32 HyperROM static relocations
        dw VMI_CALL_COUNT               ; @34 rows in that table
        times HDR_elf_header - ($ - rom_start) db 0

; ELF32 header (52 bytes, padded to 64).  File offsets count from here.
%define FILEOFF(label) ((label) - rom_start - HR_ELF_BASE)
        AT HDR_elf_header
elf_header:
        dd HR_ELF_MAGIC                 ; e_ident: 7F 'E' 'L' 'F'
        db HR_ELFCLASS32, HR_ELFDATA2LSB, HR_EV_CURRENT
        times 16 - ($ - elf_header) db 0
        dw HR_ET_EXEC                   ; e_type
        dw HR_EM_386                    ; e_machine
        dd HR_EV_CURRENT                ; e_version
        dd HR_VMI_INIT_OFFSET           ; e_entry
        dd 0                            ; e_phoff: no program headers
        dd FILEOFF(section_headers)     ; e_shoff
        dd 0                            ; e_flags
        dw ELF_EHDR_SIZE                ; e_ehsize
        dw 0, 0                         ; e_phentsize, e_phnum
        dw ELF_SHDR_SIZE                ; e_shentsize
        dw HR_SEC_COUNT                 ; e_shnum
        dw HR_SEC_SHSTRTAB              ; e_shstrndx
%if $ - elf_header != ELF_EHDR_SIZE
%error "ELF header size does not match spec/hyperrom.h"
%endif
        times HDR_SIZE - ($ - rom_start) db 0

; ---------------------------------------------------------------------
; The two jump points, 8 bytes each, at fixed offsets.
; ---------------------------------------------------------------------
        bits 32
        AT HR_VMI_INIT_OFFSET
jump_vmi_init:
        jmp near vmi_init
        times HR_JUMP_SLOT_SIZE - ($ - jump_vmi_init) int3
        AT HR_GET_RELOC_OFFSET
jump_get_reloc:
        jmp near get_reloc
        times HR_JUMP_SLOT_SIZE - ($ - jump_get_reloc) int3
        AT HR_CODE_OFFSET

%include "entries.inc"

; ---------------------------------------------------------------------
; 16-bit init entry: far-called once by the host firmware in real mode.
; Nothing to set up; return at once so the boot carries on undisturbed.
; ---------------------------------------------------------------------
        bits 16
init16:
        xor ax, ax                      ; PnP: no boot devices, no display
        retf
        bits 32
text_end:

%include "tables.inc"
