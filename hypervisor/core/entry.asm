; entry.asm - every way into the hypervisor: one stub per IDT vector.
; Runs in ring 0.  Each stub makes the stack a struct trapframe (x86.h):
; a zero error code where the CPU pushes none, the vector, the general
; registers and the data segments, then calls hv_trap(frame).  Returning
; restores the (possibly changed) frame and IRETs to the guest.
;
; A running guest's page directory maps only the entry pages of the
; hypervisor (paging.c, hv.ld): this code, the CPU's tables and the trap
; page the CPU pushes a frame from the guest on (TSS.esp0).  So the first
; thing a trap does is load the hypervisor's own page directory (hv_cr3)
; and move the frame to the hypervisor's real stack; a return to the guest
; moves it back, loads the guest's directory (guest_cr3) and IRETs from
; the trap page.  The page thus never holds more than the guest's own
; registers, and in between nothing here touches memory outside the entry
; pages.

%include "hyperrom.inc"

HV_DS           equ 0xF08               ; GDT slot 481: hypervisor data
TF_CS           equ 60                  ; offsetof(struct trapframe, cs), x86.h
TF_SIZE         equ 76                  ; sizeof(struct trapframe), x86.h
TF_ESP_PUSHAD   equ 28                  ; offsetof(struct trapframe, esp_pushad)
TF_EIP          equ 56                  ; offsetof(struct trapframe, eip)
PUSHAD_ESP      equ 12                  ; ESP's slot in PUSHAD's image (SDM)
NMI_VECTOR      equ 2
TRAP_PAGE_SIZE  equ 4096                ; segments.c: trap_page
TRAP_FRAME      equ trap_page + TRAP_PAGE_SIZE - TF_SIZE  ; a frame from the guest
HV_BASE         equ HR_VIRTUAL_TOP
NUM_VECTORS     equ 256
; Exceptions for which the CPU pushes an error code (Intel SDM 6.13).
%define HAS_ERROR(v) ((v) == 8 || ((v) >= 10 && (v) <= 14) || (v) == 17 || (v) == 21 || (v) == 29 || (v) == 30)

        bits 32
        section .entry.text progbits alloc exec nowrite align=16
        extern hv_trap, seg_return
        extern boot_pd
        extern espfix_on, espfix_sp, hv_stack_top, trap_page

; Pop a struct trapframe's registers, leaving ESP at its EIP.
%macro RESTORE_FRAME 0
        pop gs
        pop fs
        pop es
        pop ds
        popad
        add esp, 8                      ; vector and error code
%endmacro

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
%if v == NMI_VECTOR
        jmp nmi_common
%else
        jmp trap_common
%endif
%assign v v+1
%endrep

; An NMI can strike anywhere, even in the one place where the hypervisor
; runs on a stack segment that is not flat: between the espfix LSS and its
; IRETD (trap_return).  There it moves to the same bytes seen through the
; flat segment before anything else, since C code needs SS flat.
nmi_common:
        push eax
        push ecx
        mov ecx, ss
        cmp ecx, HV_DS
        je .flat
        mov eax, esp                    ; espfix base + ESP, its linear address
        sub eax, [cs:espfix_sp]
        add eax, TRAP_FRAME + TF_EIP
        mov ecx, HV_DS
        mov ss, ecx
        mov esp, eax
.flat:  pop ecx
        pop eax
        jmp trap_common

trap_common:
        pushad
        mov eax, cr3                    ; the interrupted map: the guest's, or
        mov [esp + PUSHAD_ESP], eax     ; ours; POPAD skips this slot
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
        test byte [esp + TF_CS], 3      ; from the guest: on the trap page
        jz .call
        mov esi, esp                    ; move the frame to the real stack
        mov edi, [hv_stack_top]
        sub edi, TF_SIZE
        mov esp, edi
        mov ecx, TF_SIZE / 4
        rep movsd
.call:
        push esp                        ; struct trapframe *
        call hv_trap
        add esp, 4
        global trap_return
trap_return:                            ; also the way into a new guest
        test byte [esp + TF_CS], 3
        jnz .to_guest
        mov eax, [esp + TF_ESP_PUSHAD]  ; back into the hypervisor, with the
        mov cr3, eax                    ; map it had (an NMI on the way out)
        RESTORE_FRAME
        iretd
.to_guest:
        mov eax, esp
        push TRAP_FRAME                 ; where the frame goes
        push eax                        ; the frame
        call seg_return                 ; check what the IRET loads; espfix
        add esp, 8
        mov esi, esp                    ; the frame onto the trap page
        mov edi, TRAP_FRAME
        mov ecx, TF_SIZE / 4
        rep movsd
        mov esp, TRAP_FRAME
        mov dword [esp + TF_ESP_PUSHAD], 0  ; where the hypervisor's stack was
        mov eax, [guest_cr3]            ; the guest's map: only entry pages
        test eax, eax
        jz .restore
        mov cr3, eax
.restore:
        RESTORE_FRAME
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

        section .rodata
        global trap_stubs
trap_stubs:
%assign v 0
%rep NUM_VECTORS
        dd trap_stub_%[v]
%assign v v+1
%endrep
