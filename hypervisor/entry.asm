; entry.asm - every way into the hypervisor: one stub per IDT vector.
; Runs in ring 0.  Each stub makes the stack a struct trapframe (x86.h):
; a zero error code where the CPU pushes none, the vector, the general
; registers and the data segments, then calls hv_trap(frame).  Returning
; restores the (possibly changed) frame and IRETs to the guest.
;
; A running guest's page directory maps only the entry pages of the
; hypervisor (paging.c, hv.ld): this code, the CPU's tables and the stack.
; So the first thing a trap does is load the hypervisor's own page
; directory (hv_cr3), and the last thing a return to the guest does before
; its IRET is load the guest's (guest_cr3): in between, nothing here may
; touch memory outside the entry pages.

%include "hyperrom.inc"

HV_DS           equ 0xF08               ; GDT slot 481: hypervisor data
TF_CS           equ 60                  ; offsetof(struct trapframe, cs), x86.h
HV_BASE         equ HR_VIRTUAL_TOP
NUM_VECTORS     equ 256
; Exceptions for which the CPU pushes an error code (Intel SDM 6.13).
%define HAS_ERROR(v) ((v) == 8 || ((v) >= 10 && (v) <= 14) || (v) == 17 || (v) == 21 || (v) == 29 || (v) == 30)

        bits 32
        section .entry.text progbits alloc exec nowrite align=16
        extern hv_trap, seg_espfix
        extern boot_pd
        extern espfix_on, espfix_sp

; The page directories (physical addresses) the entry code switches between.
; They sit in the entry pages, read-only to the guest; paging.c sets them.
        align 4
        global hv_cr3, guest_cr3
hv_cr3:     dd boot_pd - HV_BASE        ; until paging_init_guest
guest_cr3:  dd 0                        ; 0: no guest page directory yet

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
        mov eax, [hv_cr3]               ; the guest's EAX is saved
        mov cr3, eax
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
        push esp
        call seg_espfix                 ; is the IRET to a 16-bit stack?
        add esp, 4
        test byte [esp + TF_CS], 3      ; back to the hypervisor: keep its map
        jz .restore
        mov eax, [guest_cr3]            ; popad reloads the guest's EAX
        test eax, eax
        jz .restore
        mov cr3, eax
.restore:
        pop gs
        pop fs
        pop es
        pop ds
        popad
        add esp, 8                      ; vector and error code
        cmp byte [cs:espfix_on], 0      ; flags: the IRET reloads them
        jne .espfix
        iretd
.espfix:                                ; same frame, ESP's upper half the guest's
        lss esp, [cs:espfix_sp]
        iretd

; Enter a guest: ESP = a prepared struct trapframe.  void hv_enter(tf)
        global hv_enter
hv_enter:
        mov esp, [esp + 4]
        jmp trap_return

        section .text
; The NMI task (fatal.c): log, then return to the interrupted task with
; IRET (NT is set by the task switch); the next NMI re-enters after it.
        global nmi_task_entry
        extern nmi_task_body
nmi_task_entry:
        call nmi_task_body
        iretd
        jmp nmi_task_entry

        section .rodata
        global trap_stubs
trap_stubs:
%assign v 0
%rep NUM_VECTORS
        dd trap_stub_%[v]
%assign v v+1
%endrep
