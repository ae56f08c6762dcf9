; exit-kernel.asm - the smallest multiboot kernel: exit QEMU at once.
; SeaBIOS runs every option ROM before it boots the kernel, so when this
; runs the firmware's log of the ROM scan is complete.  Used by the ROM
; integration tests to end a boot deterministically instead of timing out.

MB_MAGIC      equ 0x1BADB002            ; multiboot v1 header magic
MB_FLAGS      equ 0                     ; ELF kernel: no extra fields
DEBUG_EXIT    equ 0xf4                  ; isa-debug-exit port (QEMU only)
EXIT_OK       equ 0                     ; QEMU exits with (0 << 1) | 1 = 1

        bits 32
        section .multiboot
        align 4
        dd MB_MAGIC, MB_FLAGS, -(MB_MAGIC + MB_FLAGS)

        section .text
        global _start
_start:
        mov dx, DEBUG_EXIT
        mov eax, EXIT_OK
        out dx, eax
.hang:  hlt                             ; not reached under QEMU
        jmp .hang
