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
; have paths of their own: the remembered call site (fastcall.asm, before
; hypercall_common), hypercall_fast (hypercall.c) and exception_fast
; (traps.c) serve the event when nothing else is owed on this exit and
; every check has a remembered answer that holds, and their return skips
; hv_trap's dispatch, the injection and seg_return.  Anything else takes
; the common path from the same frame.

%include "hyperrom.inc"
%include "hvoffsets.inc"                ; the C layouts (core/hvoffsets.c)

HV_DS           equ HV_DS_SELECTOR      ; GDT slot 481: hypervisor data
TF_CS           equ TRAPFRAME_cs        ; struct trapframe, x86.h
TF_SIZE         equ TRAPFRAME_SIZE
TF_ESP_PUSHAD   equ TRAPFRAME_esp_pushad
TF_EIP          equ TRAPFRAME_eip
PUSHAD_ESP      equ 12                  ; ESP's slot in PUSHAD's image (SDM)
NMI_VECTOR      equ 2
GP_VECTOR       equ 13                  ; #GP: a trapped IN or OUT (emulate_io_fast)
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
        extern hypercall_entry, emulate_io_fast
        global hypercall_common, guest_return, fast_return
        extern boot_pd
        extern vcpu0, vpic_requests, seg_generation, mmu_generation, fast_reflect
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
        jmp hypercall_entry             ; fastcall.asm, then hypercall_common
%elif v == GP_VECTOR
        jmp gp_common
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

; The data segments, the rest of a struct trapframe, then the
; hypervisor's own (EAX is saved already) and DF clear, as C needs them.
%macro SAVE_SEGMENTS 0
        push ds
        push es
        push fs
        push gs
        mov ax, HV_DS
        mov ds, ax
        mov es, ax
        cld                             ; the guest may have left DF set
%endmacro

; Save the interrupted registers as a struct trapframe and switch to the
; hypervisor's map and data segments.  SS is the hypervisor's (TSS.ss0,
; or already in ring 0), DS may be anything the guest loaded: hence ss:.
; SAVE_FRAME 0 leaves out the interrupted CR3, which only a trap that may
; come from ring 0 needs (to go back to the map it had); SAVE_FRAME 2
; also the switch, which fastcall.asm made already.
%macro SAVE_FRAME 1
        pushad
%if %1 == 1
        mov eax, cr3                    ; the interrupted map: the guest's, or
        mov [esp + PUSHAD_ESP], eax     ; ours; POPAD skips this slot
%endif
%if %1 != 2
        mov eax, [ss:hv_cr3]            ; the guest's EAX is saved
        mov cr3, eax
%endif
        SAVE_SEGMENTS
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
hypercall_common:                       ; from fastcall.asm, in our map
        SAVE_FRAME 2
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

; The exceptions likewise, in two steps.  The first, here, reflects the
; common ones into the guest's handler from what exception_fast last
; remembered (fastreflect.h: the key, the code page, the gate, the stack
; page), reading the gate's bytes live, and pushes only the general
; registers: it loads no segment register (our data through SS:, which is
; ours), so the IRET finds DS-GS as the guest left them and reloads only
; CS and SS, the remembered ones that passed seg_return.  Anything not
; remembered goes on to exception_fast (traps.c) with the full frame,
; which checks and remembers, or declines to hv_trap.  From ring 0 (a
; hypervisor fault) they take the nested path; from ring 3 the full one.
exception_common:
        test byte [esp + CPU_CS], 3     ; CS as the CPU pushed it
        jz trap_common                  ; ring 0: trap_common's nested path
        pushad
        mov eax, [ss:hv_cr3]
        mov cr3, eax
        test byte [esp + PA_CS], 2      ; ring 1 only (3: a kernel stack)
        jnz .full
        test dword [esp + PA_EFLAGS], EFLAGS_VM
        jnz .full
        mov ebp, [ss:vcpu0 + VCPU_AREA] ; nothing owed on this exit: no lazy
        mov eax, [ss:ebp + AREA_QUEUED] ; queue, no interrupt pending or asked
        or eax, [ss:ebp + AREA_PENDING]
        or eax, [ss:vpic_requests]
        jnz .full
        mov eax, [ss:seg_generation]    ; the key: tables, translations, IDT
        cmp eax, [ss:fast_reflect + FR_SEG_GEN]
        jne .full
        mov eax, [ss:mmu_generation]
        cmp eax, [ss:fast_reflect + FR_MMU_GEN]
        jne .full
        mov eax, [ss:vcpu0 + VCPU_CR3]
        cmp eax, [ss:fast_reflect + FR_CR3]
        jne .full
        mov eax, [ss:vcpu0 + VCPU_IDT_BASE]
        cmp eax, [ss:fast_reflect + FR_IDT_BASE]
        jne .full
        movzx eax, word [ss:vcpu0 + VCPU_IDT_LIMIT]
        cmp eax, [ss:fast_reflect + FR_IDT_LIMIT]
        jne .full
        mov eax, [esp + PA_EIP]         ; not in a ROM (rule 8: its own faults)
        and eax, PAGE_FRAME_MASK
        cmp eax, [ss:fast_reflect + FR_CODE_PAGE]
        jne .full
        mov ebx, [esp + PA_VECTOR]      ; EBX: this vector's struct fast_gate
        shl ebx, FAST_GATE_SHIFT
        add ebx, fast_reflect + FR_GATE
        mov eax, [ss:fast_reflect + FR_EPOCH]   ; remembered under this key
        cmp eax, [ss:ebx + FG_EPOCH]
        jne .full
        mov eax, [esp + PA_SS]          ; the stack selector that passed
        cmp eax, [ss:ebx + FG_SS]
        jne .full
        mov edx, [ss:ebx + FG_AT]       ; the gate's bytes, live
        mov eax, [ss:edx]
        cmp eax, [ss:ebx + FG_LO]
        jne .full
        mov eax, [ss:edx + 4]
        cmp eax, [ss:ebx + FG_HI]
        jne .full
        mov edi, [esp + PA_ESP]         ; 32 bytes of room in one page (rule 3)
        lea eax, [edi - HR_TRAP_STACK_ROOM]
        lea ecx, [edi - 1]
        xor ecx, eax
        cmp ecx, PAGE_SIZE
        jae .full
        and eax, PAGE_FRAME_MASK
        cmp eax, [ss:fast_reflect + FR_STACK_PAGE]
        jne .full
        add edi, [ss:fast_reflect + FR_STACK_DELTA]  ; EDI: ESP in our map
        mov eax, [esp + PA_EFLAGS]      ; the frame: EFLAGS with the virtual
        and eax, ~(EFLAGS_IF | EFLAGS_IOPL)  ; IF and IOPL (rule 1), CS, EIP
        or eax, [ss:vcpu0 + VCPU_IOPL_MASK]
        mov ecx, [ss:ebp + AREA_VIRT_IF]
        and ecx, EFLAGS_IF
        or eax, ecx
        mov [ss:edi - 4], eax
        mov eax, [esp + PA_CS]
        mov [ss:edi - 8], eax
        mov eax, [esp + PA_EIP]
        mov [ss:edi - 12], eax
        sub dword [esp + PA_ESP], 12
        cmp dword [ss:ebx + FG_ERROR_BYTES], 0
        je .handler
        mov eax, [esp + PA_ERROR]       ; and the error code, if it has one
        mov [ss:edi - 16], eax
        sub dword [esp + PA_ESP], 4
.handler:                               ; enter the handler
        mov eax, [ss:ebx + FG_CS]
        mov [esp + PA_CS], eax
        mov eax, [ss:ebx + FG_EIP]
        mov [esp + PA_EIP], eax
        and dword [esp + PA_EFLAGS], ~EFLAGS_DELIVERY_CLEARS
        mov eax, [ss:ebx + FG_IF_KEEP]  ; an interrupt gate clears the virtual IF
        and [ss:ebp + AREA_VIRT_IF], ax  ; virt_if is 16 bits: must_exit stays
        mov eax, [esp + PA_VECTOR]      ; the statistics, as exception_fast's
        add dword [ss:vcpu0 + VCPU_DELIVERED], 1
        adc dword [ss:vcpu0 + VCPU_DELIVERED + 4], 0
        inc dword [ss:vcpu0 + VCPU_DELIVERED_BY + eax * 4]
        add dword [ss:vcpu0 + VCPU_VECTORS + eax * 8], 1
        adc dword [ss:vcpu0 + VCPU_VECTORS + eax * 8 + 4], 0
        add dword [ss:vcpu0 + VCPU_EXITS_EXCEPTION], 1
        adc dword [ss:vcpu0 + VCPU_EXITS_EXCEPTION + 4], 0
        mov dword [ss:vcpu0 + VCPU_EMULATING], 0
        mov eax, [ss:guest_cr3]         ; nonzero: a guest is running
        mov cr3, eax
        popad
        add esp, 8                      ; vector and error code
        iretd
.full:                                  ; the rest of SAVE_FRAME 1's work
        SAVE_SEGMENTS
        mov esp, [hv_stack_top]         ; the frame stays at TRAP_FRAME
        push TRAP_FRAME
        call exception_fast
        test eax, eax
        jz slow_trap
        jmp fast_return

; A C fast path from ring 1 or 3, the frame on the trap page: it returns
; 1 when the frame may go back by the fast return (the selectors are the
; ones seg_return last passed), 2 when seg_return must look first (an
; interrupt injected, a frame rewritten), 0 for anything else, which
; hv_trap then takes from the same frame.  From ring 0 (a hypervisor
; fault) the nested path, as for every exception.
%macro C_FAST_PATH 1
        SAVE_FRAME 1
        test byte [esp + TF_CS], 3
        jz nested_trap
        mov esp, [hv_stack_top]         ; the frame stays at TRAP_FRAME
        push TRAP_FRAME
        call %1
        test eax, eax
        jz slow_trap
        dec eax
        jnz guest_return                ; 2: seg_return looks
        jmp fast_return
%endmacro

; #GP, most often a port access the TSS I/O bitmap trapped: emulate_io_fast
; (emulate.c) serves a plain IN or OUT from ring 1 completely.
gp_common:
        C_FAST_PATH emulate_io_fast

; The page fault: pf_fast (traps.c) fills a shadow miss, or reflects a
; fault of the guest's own (as the CPU pushed it, or as reflect_fast made
; it); a fault in a ROM, or anything else owed on this exit, goes to hv_trap.
pf_common:
        C_FAST_PATH pf_fast

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
