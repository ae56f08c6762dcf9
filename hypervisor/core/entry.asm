; entry.asm - every way into the hypervisor: one stub per IDT vector.
; Runs in ring 0.  Each stub makes the stack a struct trapframe (x86.h):
; a zero error code where the CPU pushes none, the vector, the general
; registers and the data segments, then calls hv_trap(frame).  Returning
; restores the (possibly changed) frame and IRETs to the guest.
;
; A running guest's page directory maps only the entry pages of the
; hypervisor (paging.c, hv.ld): this code, the CPU's tables and the trap
; page the CPU pushes a frame from the guest on (TSS.esp0).  So the first
; thing a trap does is load the hypervisor's own page directory (hv_cr3);
; the frame stays where the CPU pushed it, and the C code runs on the
; hypervisor's real stack with a pointer to it.  A return to the guest
; loads the guest's directory (guest_cr3) and IRETs from the trap page
; (hv_enter's frame is there too: guest_frame()).  The page thus never
; holds more than the guest's own registers, and before the CR3 switch
; nothing here touches memory outside the entry pages.
;
; The hypercall vector and the exceptions that are only ever reflected
; have paths of their own: hypercall_fast (hypercall.c) and exception_fast
; (traps.c) serve the event when nothing else is owed on this exit and
; every check has a remembered answer that holds, and their return skips
; hv_trap's dispatch, the injection and seg_return.  Anything else takes
; the common path from the same frame.

%include "hyperrom.inc"

HV_DS           equ 0xF08               ; GDT slot 481: hypervisor data
TF_CS           equ 60                  ; offsetof(struct trapframe, cs), x86.h
TF_SIZE         equ 76                  ; sizeof(struct trapframe), x86.h
TF_ESP_PUSHAD   equ 28                  ; offsetof(struct trapframe, esp_pushad)
TF_EIP          equ 56                  ; offsetof(struct trapframe, eip)
PUSHAD_ESP      equ 12                  ; ESP's slot in PUSHAD's image (SDM)
NMI_VECTOR      equ 2
PF_VECTOR       equ 14                  ; #PF (Intel SDM 6.15)
; The exceptions traps.c's reflect_only[] names (#DE #DB #BR #UD #NM #MF
; #AC #XM), which exception_fast may serve; it checks the set itself, so
; this copy only spares the others (#GP, #PF, ...) a call that would fail.
%define REFLECT_ONLY(v) ((v) == 0 || (v) == 1 || (v) == 5 || (v) == 6 || (v) == 7 || (v) == 16 || (v) == 17 || (v) == 19)
TRAP_PAGE_SIZE  equ 4096                ; segments.c: trap_page
TRAP_FRAME      equ trap_page + TRAP_PAGE_SIZE - TF_SIZE  ; a frame from the guest
HV_BASE         equ HR_VIRTUAL_TOP
NUM_VECTORS     equ 256
; Exceptions for which the CPU pushes an error code (Intel SDM 6.13).
%define HAS_ERROR(v) ((v) == 8 || ((v) >= 10 && (v) <= 14) || (v) == 17 || (v) == 21 || (v) == 29 || (v) == 30)

        bits 32
        section .entry.text progbits alloc exec nowrite align=16
        extern hv_trap, seg_return, hypercall_fast, exception_fast, pf_fast, hv_enter_elsewhere
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
%elif v == HR_HYPERCALL_VECTOR
        jmp hypercall_common
%elif v == PF_VECTOR
        jmp pf_common
%elif REFLECT_ONLY(v)
        jmp exception_common
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

; Save the interrupted registers as a struct trapframe and switch to the
; hypervisor's map and data segments.  SS is the hypervisor's (TSS.ss0,
; or already in ring 0), DS may be anything the guest loaded: hence ss:.
; SAVE_FRAME 0 leaves out the interrupted CR3, which only a trap that may
; come from ring 0 needs (to go back to the map it had).
%macro SAVE_FRAME 1
        pushad
%if %1
        mov eax, cr3                    ; the interrupted map: the guest's, or
        mov [esp + PUSHAD_ESP], eax     ; ours; POPAD skips this slot
%endif
        mov eax, [ss:hv_cr3]            ; the guest's EAX is saved
        mov cr3, eax
        push ds
        push es
        push fs
        push gs
        mov ax, HV_DS
        mov ds, ax
        mov es, ax
        cld                             ; C needs DF clear; the guest may not
%endmacro

trap_common:
        SAVE_FRAME 1
        test byte [esp + TF_CS], 3      ; from the guest: on the trap page
        jz nested_trap
        mov esp, [hv_stack_top]         ; the frame stays at TRAP_FRAME
        push TRAP_FRAME                 ; struct trapframe *
        call hv_trap
        jmp guest_return
nested_trap:                            ; an NMI, IRQ or fault in the hypervisor
        push esp                        ; struct trapframe *
        call hv_trap
        add esp, 4
        global trap_return
trap_return:                            ; ESP = a frame; also into a new guest
        test byte [esp + TF_CS], 3
        jnz .to_guest
        mov eax, [esp + TF_ESP_PUSHAD]  ; back into the hypervisor, with the
        mov cr3, eax                    ; map it had (an NMI on the way out)
        RESTORE_FRAME
        iretd
.to_guest:                              ; ESP = TRAP_FRAME (hv_enter's contract)
        mov esp, [hv_stack_top]         ; abandon whatever C frames there were
guest_return:                           ; the frame at TRAP_FRAME, ESP ours
        push TRAP_FRAME
        push TRAP_FRAME
        call seg_return                 ; check what the IRET loads; espfix
        mov esp, TRAP_FRAME
        mov dword [esp + TF_ESP_PUSHAD], 0  ; a CR3 or our ESP: POPAD skips it
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

; The hypercall vector: only ring 1 reaches it (its gate's DPL; the
; hypervisor never raises it), so the frame is always on the trap page.
; hypercall_fast returns 1 when it served the call completely; the
; frame's selectors and EFLAGS are then as the CPU pushed them and passed
; seg_return before at this seg_generation, so only the guest's map and
; DS/ES (ours during the call) are restored; FS and GS were never touched.
; 2: served, but a descriptor table changed, so seg_return checks again.
hypercall_common:
        SAVE_FRAME 0                    ; from ring 1 only: the guest's map
        mov esp, [hv_stack_top]         ; the frame stays at TRAP_FRAME
        push TRAP_FRAME
        call hypercall_fast
        test eax, eax
        jz slow_trap
        dec eax
        jnz guest_return                ; 2: a table changed, seg_return looks
fast_return:
        mov esp, TRAP_FRAME + 8         ; past GS and FS
        mov eax, [guest_cr3]            ; nonzero: a guest is running
        mov cr3, eax
        pop es
        pop ds
        popad
        add esp, 8                      ; vector and error code
        iretd
slow_trap:
        call hv_trap                    ; TRAP_FRAME is still its argument
        jmp guest_return

; The exceptions likewise: exception_fast (traps.c) reflects the common
; ones into the guest's handler when every check has a remembered answer
; that holds (the frame's new CS:EIP and SS as seg_return passed them).
; From ring 0 (a hypervisor fault) they take the nested path; from ring 3
; exception_fast declines them (a kernel stack to find) and hv_trap runs.
exception_common:
        SAVE_FRAME 1
        test byte [esp + TF_CS], 3
        jz nested_trap
        mov esp, [hv_stack_top]         ; the frame stays at TRAP_FRAME
        push TRAP_FRAME
        call exception_fast
        test eax, eax
        jz slow_trap
        jmp fast_return

; The page fault: pf_fast (traps.c) fills a shadow miss, or reflects a
; fault of the guest's own, and returns 1 when the frame may go back by
; the fast return (as the CPU pushed it, or as reflect_fast made it), 2
; when seg_return must look at it first; 0 sends it to hv_trap (a fault
; in a ROM, or anything else owed on this exit).
pf_common:
        SAVE_FRAME 1
        test byte [esp + TF_CS], 3
        jz nested_trap
        mov esp, [hv_stack_top]         ; the frame stays at TRAP_FRAME
        push TRAP_FRAME
        call pf_fast
        test eax, eax
        jz slow_trap
        dec eax
        jnz guest_return
        jmp fast_return

; Enter the guest with the frame tf, which is guest_frame() (the trap
; page's): a new guest's, or the current one after a handler changed it
; and abandons its C frames.  void hv_enter(tf)
        global hv_enter
hv_enter:
        mov eax, [esp + 4]
        cmp eax, TRAP_FRAME
        jne .elsewhere
        mov esp, eax
        jmp trap_return
.elsewhere:                             ; a hypervisor bug: say so, loudly
        push eax
        call hv_enter_elsewhere         ; does not return

        section .rodata
        global trap_stubs
trap_stubs:
%assign v 0
%rep NUM_VECTORS
        dd trap_stub_%[v]
%assign v v+1
%endrep
