; entry.asm - every way into the hypervisor: one stub per IDT vector.
; Runs in ring 0.  Each stub makes the stack a struct trapframe (x86.h):
; a zero error code where the CPU pushes none, the vector, the general
; registers and the data segments, then calls hv_trap(frame).  Returning
; restores the (possibly changed) frame and IRETs to the guest.

%include "hyperrom.inc"

HV_DS           equ 0xF08               ; GDT slot 481: hypervisor data
NUM_VECTORS     equ 256
; Exceptions for which the CPU pushes an error code (Intel SDM 6.13).
%define HAS_ERROR(v) ((v) == 8 || ((v) >= 10 && (v) <= 14) || (v) == 17 || (v) == 21 || (v) == 29 || (v) == 30)

        bits 32
        section .text
        extern hv_trap

%assign v 0
%rep NUM_VECTORS
trap_stub_%[v]:
%if !HAS_ERROR(v)
        push 0                          ; fake error code
%endif
        push v
        jmp trap_common
%assign v v+1
%endrep

trap_common:
        pushad
        push ds
        push es
        push fs
        push gs
        mov ax, HV_DS
        mov ds, ax
        mov es, ax
        cld                             ; C needs DF clear; the guest may not
        push esp                        ; struct trapframe *
        call hv_trap
        add esp, 4
        global trap_return
trap_return:                            ; also the way into a new guest
        pop gs
        pop fs
        pop es
        pop ds
        popad
        add esp, 8                      ; vector and error code
        iretd

; The NMI task (fatal.c): log, then return to the interrupted task with
; IRET (NT is set by the task switch); the next NMI re-enters after it.
        global nmi_task_entry
        extern nmi_task_body
nmi_task_entry:
        call nmi_task_body
        iretd
        jmp nmi_task_entry

; Enter a guest: ESP = a prepared struct trapframe.  void hv_enter(tf)
        global hv_enter
hv_enter:
        mov esp, [esp + 4]
        jmp trap_return

        section .rodata
        global trap_stubs
trap_stubs:
%assign v 0
%rep NUM_VECTORS
        dd trap_stub_%[v]
%assign v v+1
%endrep
