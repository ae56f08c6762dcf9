; boot.asm - multiboot entry: paging on, jump to the high half, call C.
; Runs in ring 0.  The loader enters _start with paging off, EAX =
; multiboot magic and EBX = physical address of the info block.
;
; The multiboot header and _start live in .boot, which hv.ld links at its
; physical address (virtual = physical, 1 MiB): the ELF entry is then the
; same number whether a loader reads it as physical (QEMU -kernel) or as
; virtual inside a segment and translates it (GRUB 2, which refuses an
; entry outside every segment).  Everything else is linked high.

%include "hyperrom.inc"

MB_MAGIC        equ 0x1BADB002          ; multiboot v1 header magic
MB_FLAGS        equ 0x3                 ; page-align modules, want memory map
HV_BASE         equ HR_VIRTUAL_TOP      ; hv.ld links us here too
PDE_4M          equ 0x83                ; present, writable, 4 MiB; not global:
                                        ; a guest's CR3 must drop them (paging.c)
PDE_SHIFT       equ 22                  ; 4 MiB per page-directory entry
DIRECT_MAP_PDES equ 64                  ; 64 x 4 MiB = 256 MiB direct map
CR4_PSE         equ 1 << 4
CR0_PG          equ 1 << 31
CR0_WP          equ 1 << 16             ; ring 1 must not write read-only pages
BOOT_STACK_SIZE equ 16384

        section .multiboot progbits alloc noexec nowrite align=4
        dd MB_MAGIC, MB_FLAGS, -(MB_MAGIC + MB_FLAGS)

        section .boot.text progbits alloc exec nowrite align=16
        bits 32
        global _start
        extern hv_main
_start:
        mov esi, eax                    ; keep the loader's magic and info
        mov edi, ebx
        ; Boot page directory: identity-map the first 4 MiB (this code) and
        ; map physical 0..256 MiB at HV_BASE, with 4 MiB pages.
        mov ebx, boot_pd - HV_BASE
        mov dword [ebx], PDE_4M
        xor ecx, ecx
.map:   mov eax, ecx
        shl eax, PDE_SHIFT
        or eax, PDE_4M
        mov [ebx + (HV_BASE >> PDE_SHIFT) * 4 + ecx * 4], eax
        inc ecx
        cmp ecx, DIRECT_MAP_PDES
        jb .map
        mov eax, cr4
        or eax, CR4_PSE
        mov cr4, eax
        mov cr3, ebx
        mov eax, cr0
        or eax, CR0_PG | CR0_WP
        mov cr0, eax
        mov eax, boot_high               ; a high address: leave .boot
        jmp eax

        section .text
boot_high:
        mov esp, boot_stack_top
        push edi                        ; multiboot info (physical)
        push esi                        ; multiboot magic
        call hv_main
.halt:  cli
        hlt
        jmp .halt

        section .bss
        align 4096
        global boot_pd
boot_pd:
        resb 4096
        global boot_stack_top
boot_stack:
        resb BOOT_STACK_SIZE
boot_stack_top:
