; fastcall.asm - the hypercall vector's first instructions.  Ring 0, in
; the entry pages (.entry.text): it starts in the guest's map, like every
; trap, and its CPUID body ends there too.
;
; A kernel makes most of its calls from a few sites, again and again; a
; hypercall from the call site hypercall_fast served last (hypercall.h,
; struct hc_site) is served here with one comparison per thing the full
; path would check: nothing owed on this exit (lazy queue, pending flag,
; PIC requests), the same call byte address, CR3, generations of the
; descriptor tables and of the translations, and the same CS, SS, DS and
; ES, which then passed rules 4 and 5 and the check before the IRET.
; Anything else goes the full way (entry.asm's hypercall_common) with the
; registers as the CPU left them.
;
; CPUID leaf 1 (the leaf the ROM forwards for every kernel) is answered
; here without building the trap frame: only EAX and ECX are saved, on
; the trap page below the CPU's frame, and the hypervisor's data is read
; through SS (the hypervisor's flat segment, from TSS.ss0), so the guest's
; DS, ES, FS and GS stay loaded and the IRET reloads only CS and SS, which
; passed the check before the IRET at this generation.  Every other
; remembered call builds the frame and runs its C handler.  Offsets come from the C layouts (hvoffsets.inc).

%include "hyperrom.inc"
%include "hvoffsets.inc"

        bits 32
        section .entry.text progbits alloc exec nowrite align=16
        extern hv_cr3, guest_cr3, trap_page, hv_stack_top
        extern vcpu0, vpic_requests, seg_generation, mmu_generation, hc_site
        extern hypercall_common, guest_return, fast_return, hc_handlers
        global hypercall_entry, hc_body_cpuid, hc_body_framed

TRAP_FRAME      equ trap_page + HV_PAGE_SIZE - TRAPFRAME_SIZE   ; from ring 1
%define FRAME(f)  [ss:TRAP_FRAME + TRAPFRAME_%+f]
%define SITE(f)   [ss:hc_site + HC_SITE_%+f]
CPUID_CALLS     equ VCPU0_calls + VMI_CALL_CPUID * VCPU0_CALL_SIZE

; The hypercall vector's stub jumps here: ESP at the frame's vector.
hypercall_entry:
        push eax                        ; a scratch register, below the frame
        mov eax, [ss:hv_cr3]            ; our map, for .other's path too
        mov cr3, eax
        mov eax, FRAME(eip)             ; first what differs most often,
        cmp eax, SITE(eip)              ; so other calls lose least
        jne .other
        push ecx                        ; a second one
        mov eax, [ss:vcpu0 + VCPU0_area]
        mov ecx, [ss:eax + VCPU_queued]
        or ecx, [ss:eax + VCPU_pending]
        or ecx, [ss:vpic_requests]
        jnz .full                       ; something owed on this exit
        mov eax, [ss:seg_generation]
        add eax, [ss:mmu_generation]
        cmp eax, SITE(gens)
        jne .full
        mov eax, [ss:vcpu0 + VCPU0_cr3]
        cmp eax, SITE(cr3)
        jne .full
        mov ax, FRAME(cs)
        cmp ax, SITE(cs)
        jne .full
        mov ax, FRAME(ss)
        cmp ax, SITE(ss)
        jne .full
        mov ax, ds
        cmp ax, SITE(ds)
        jne .full
        mov ax, es
        cmp ax, SITE(es)
        jne .full
        jmp SITE(body)                  ; hc_body_cpuid or hc_body_framed
.full:  pop ecx
.other: pop eax
        jmp hypercall_common

; CPUID, leaf 1: the host's answer with the hypervisor bit set and VME and
; SEP hidden, as hc_CPUID gives it; other leaves take the C handler.
hc_body_cpuid:
        cmp dword [ss:esp + 4], CPUID_FEATURES  ; the guest's EAX
        jne hc_body_framed
        add dword [ss:vcpu0 + VCPU0_exit_hypercall], 1      ; 64-bit counts
        adc dword [ss:vcpu0 + VCPU0_exit_hypercall + 4], 0
        add dword [ss:vcpu0 + CPUID_CALLS], 1
        adc dword [ss:vcpu0 + CPUID_CALLS + 4], 0
        inc dword FRAME(eip)            ; resume after the call byte
        pop ecx
        pop eax
        cpuid
        or ecx, CPUID_ECX_HV
        and edx, ~CPUID_EDX_HIDDEN
        push eax
        mov eax, [ss:guest_cr3]         ; the guest's map: entry pages only
        mov cr3, eax
        pop eax
        add esp, 8                      ; vector and error code
        iretd

; A remembered call with a C handler: the trap frame as entry.asm's
; SAVE_FRAME builds it (CR3 is ours already), the counts and EIP as
; hypercall_fast keeps them, the handler, and entry.asm's return: the fast
; one unless the handler moved seg_generation (a table the selectors are
; read from changed), when seg_return checks them again.
hc_body_framed:
        pop ecx
        pop eax
        pushad
        push ds
        push es
        push fs
        push gs
        mov ax, HV_DS_SELECTOR
        mov ds, ax
        mov es, ax
        cld                             ; C needs DF clear; the guest may not
        mov esp, [hv_stack_top]         ; the frame stays at TRAP_FRAME
        mov eax, SITE(call)
        add dword [vcpu0 + VCPU0_exit_hypercall], 1
        adc dword [vcpu0 + VCPU0_exit_hypercall + 4], 0
        add dword [vcpu0 + VCPU0_calls + eax * VCPU0_CALL_SIZE], 1
        adc dword [vcpu0 + VCPU0_calls + eax * VCPU0_CALL_SIZE + 4], 0
        mov dword [vcpu0 + VCPU0_emulating], 0  ; (hc_fault reads it)
        inc dword [TRAP_FRAME + TRAPFRAME_eip]  ; resume after the call byte
        push dword [seg_generation]     ; the tables seg_return passed
        push TRAP_FRAME
        call [hc_handlers + eax * 4]    ; void hc_<name>(tf)
        mov eax, [esp + 4]
        cmp eax, [seg_generation]
        jne guest_return
        jmp fast_return
