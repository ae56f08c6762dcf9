; entry.asm - the guest runtime's assembly: multiboot entry, trap stubs,
; the try mechanism's recovery points, and the segment reload.
;
; Runs at the guest kernel's privilege level: ring 0 on bare hardware,
; ring 1 under a HyperROM hypervisor.  Nothing here may assume ring 0:
; no CLI/STI/HLT/LGDT, no raw IRET (traps return through the IRET entry
; the VMI shim bound, which is the native instruction when there is no
; hypervisor).  C does the work; this file only moves registers.

MB_HEADER_MAGIC equ 0x1BADB002          ; multiboot v1 (spec section 3.1.1)
MB_HDR_MEMORY   equ 0x00000002          ; ask for mem_lower/mem_upper
MB_HDR_FLAGS    equ MB_HDR_MEMORY
STACK_SIZE      equ 16384               ; the kernel's boot stack
TRAP_STACK_SIZE equ 8192                ; the stack for traps from user mode
VECTORS         equ 48                  ; 32 exceptions + 16 PIC lines (rt.h RT_VECTORS)
SYSCALL_VECTOR  equ 0x80                ; rt.h RT_SYSCALL_VECTOR
SYS_EXIT        equ 0                   ; rt.h RT_SYS_EXIT

        bits 32

; ---------------------------------------------------------------------------
; The multiboot header: kernel.ld puts .multiboot first, well inside the
; first 8 KiB of the image where loaders look for it.
        section .multiboot
        align 4
        dd MB_HEADER_MAGIC, MB_HDR_FLAGS, -(MB_HEADER_MAGIC + MB_HDR_FLAGS)

; ---------------------------------------------------------------------------
; _start: the loader enters here with EAX = boot magic, EBX = the physical
; address of the multiboot info, interrupts off, flat segments.
        section .text
        global _start
        extern rt_start
_start:
        mov esp, rt_stack_top
        cld                             ; C expects DF clear
        push ebx                        ; struct multiboot_info *
        push eax                        ; boot magic
        call rt_start                   ; does not return
.spin:  jmp .spin                       ; no HLT: it faults in ring 1

; ---------------------------------------------------------------------------
; One stub per vector: push a zero where the CPU pushes no error code, then
; the vector number, so every frame looks alike (struct rt_frame).
%macro STUB_NOERR 1
rt_vector_%1:
        push 0
        push %1
        jmp trap_common
%endmacro
%macro STUB_ERR 1
rt_vector_%1:
        push %1                         ; the CPU pushed the error code
        jmp trap_common
%endmacro

%assign v 0
%rep VECTORS
%if v == 8 || (v >= 10 && v <= 14) || v == 17 || v == 21 || v == 29 || v == 30
        STUB_ERR v                      ; #DF #TS #NP #SS #GP #PF #AC #CP #VC #SX
%else
        STUB_NOERR v
%endif
%assign v v + 1
%endrep

; The system-call gate's stub: a frame like every other vector's.
        global rt_syscall_stub
rt_syscall_stub:
        push 0
        push SYSCALL_VECTOR
        jmp trap_common

; The stubs' addresses, for desc.c to put in the IDT.
        section .rodata
        global rt_vector_stubs
        align 4
rt_vector_stubs:
%assign v 0
%rep VECTORS
        dd rt_vector_%+ v
%assign v v + 1
%endrep

; ---------------------------------------------------------------------------
; trap_common: save everything, switch to the kernel's data segments (SS
; is always the kernel's stack segment here), call rt_trap(frame), restore
; and return through the bound IRET entry.
        section .text
        extern rt_trap
trap_common:
        pushad
        push ds
        push es
        push fs
        push gs
        mov ax, ss
        mov ds, ax
        mov es, ax
        cld
        push esp                        ; struct rt_frame *
        call rt_trap
        add esp, 4
        pop gs
        pop fs
        pop es
        pop ds
        popad
        add esp, 8                      ; vector and error code
        jmp [rt_iret_entry]

; The IRET used until the shim has bound one: the native instruction.
rt_native_iret:
        iretd

        section .data
        global rt_iret_entry
        align 4
rt_iret_entry:
        dd rt_native_iret               ; start.c points it at vmi.entry[IRET]

; ---------------------------------------------------------------------------
; int try_call(void (*fn)(void *), void *arg)
; Save the callee-saved registers and the stack, arm the handler with
; rt_try_call_resume as its recovery point, and call fn(arg).  Whether fn
; returns or faults we arrive at the recovery point with EAX = vector.
        section .text
        global try_call
        extern rt_try_arm, rt_try_disarm
        extern rt_try_resume, rt_try_esp
try_call:
        push ebp
        push ebx
        push esi
        push edi
        mov [rt_try_esp], esp
        call rt_try_arm                 ; clobbers EAX, ECX, EDX only
        mov dword [rt_try_resume], rt_try_call_resume
        mov eax, [esp + 20]             ; fn (4 saved registers + return)
        push dword [esp + 24]           ; arg
        call eax
rt_try_call_resume:
        mov esp, [rt_try_esp]           ; drop whatever fn left on the stack
        cld                             ; the fault may have left DF set
        call rt_try_disarm              ; EAX = vector or RT_NO_FAULT
        pop edi
        pop esi
        pop ebx
        pop ebp
        ret

; ---------------------------------------------------------------------------
; void rt_load_segments(uint16_t cs, uint16_t ds)
; Load DS, ES, FS, GS, SS with ds and CS with cs, by a far return to our
; own return address.  Both selectors' RPL must be the current level.
        global rt_load_segments
rt_load_segments:
        mov eax, [esp + 8]              ; ds
        mov ds, ax
        mov es, ax
        mov fs, ax
        mov gs, ax
        mov ss, ax
        mov eax, [esp + 4]              ; cs
        pop ecx                         ; our return address
        push eax
        push ecx
        retf                            ; caller still pops its two arguments

; ---------------------------------------------------------------------------
; int rt_user_enter(eip, cs, eflags, esp, ss)
; The arguments are an IRET frame for ring 3.  Save the callee-saved
; registers and the stack for rt_user_leave, then return to user mode
; through the bound IRET entry (so the virtual interrupt flag follows the
; frame).  Returns only through rt_user_leave, with its result.
        section .text
        global rt_user_enter, rt_user_leave, rt_user_trampoline
rt_user_enter:
        push ebp
        push ebx
        push esi
        push edi
        mov [rt_user_esp], esp
%rep 5                                  ; ss, esp, eflags, cs, eip: each push
        push dword [esp + 36]           ; moves the next one to [esp + 36]
%endrep
        jmp [rt_iret_entry]

; void rt_user_leave(int result): called on the kernel stack of a trap
; from user mode; abandon that trap and return result from rt_user_enter.
; The trap left DS and ES on the kernel's segment (trap_common) and SS is
; the kernel's stack segment; FS and GS may still hold user selectors.
rt_user_leave:
        mov eax, [esp + 4]
        mov esp, [rt_user_esp]
        mov cx, ss
        mov ds, cx
        mov es, cx
        mov fs, cx
        mov gs, cx
        pop edi
        pop esi
        pop ebx
        pop ebp
        ret

; Where user mode starts (ring 3), with [esp] = fn and [esp + 4] = arg:
; take the user data segment everywhere, call fn(arg), then leave user
; mode with the exit system call.
rt_user_trampoline:
        mov ax, ss
        mov ds, ax
        mov es, ax
        mov fs, ax
        mov gs, ax
        cld
        pop eax                         ; fn; arg is now at [esp]
        call eax
        mov eax, SYS_EXIT
        int SYSCALL_VECTOR
        ud2                             ; the exit call never returns

        section .data
        align 4
rt_user_esp:
        dd 0

; ---------------------------------------------------------------------------
        section .bss
        align 16
        global rt_stack_top, rt_trap_stack_top
rt_stack:
        resb STACK_SIZE
rt_stack_top:
rt_trap_stack:
        resb TRAP_STACK_SIZE
rt_trap_stack_top:

; No executable stack wanted: tell the linker so it does not warn.
        section .note.GNU-stack noalloc noexec nowrite progbits
