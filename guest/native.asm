; native.asm - the native implementation of every VMI call.
;
; When the guest runs without a HyperROM hypervisor (no ROM, VMI_Init
; failed, or "novmi"), vmi.entry[] points here.  Each stub has exactly the
; calling convention of the ROM entry it stands in for (spec/hyperrom.md,
; section 8), so a caller never knows which one it got:
;
;   - regparm(3) C calls: arguments in EAX, EDX, ECX, a fourth (and later)
;     on the stack, popped by the caller; result in EAX or EDX:EAX; the
;     stub may clobber EAX, ECX, EDX and the flags and keeps the rest;
;   - the interrupt-flag calls clobber only the flags;
;   - CPUID, RDMSR, WRMSR, RDTSC, RDPMC, IN*, OUT*, INS*, OUTS*, IRET and
;     SYSEXIT use the registers of the native instruction itself.
;
; Runs at the guest kernel's privilege level: ring 0 on bare hardware.
; (Under the hypervisor these stubs are only used for calls the ROM
; reports as NONE, which must then be safe to execute natively in ring 1.)
; Calls that only mean something to a hypervisor (MMU notifications, the
; timer, lazy modes, callbacks, AP start-up) do the native equivalent,
; which is usually nothing; each stub says what it does.
;
; Stub names are vmi_native_<Name> for call <Name> of spec/hyperrom.h;
; vmi_setup.c builds its table from the same list, so a missing or
; misspelt stub is a link error.

%include "hyperrom.inc"

; Architectural constants (Intel SDM vol. 3, IBM PC/AT).
%define EFLAGS_IOPL_MASK     0x3000     ; EFLAGS bits 12-13
%define CR4_PGE              0x80       ; CR4 bit 7: global pages
%define SELECTOR_INDEX_MASK  0xFFF8     ; selector without RPL and TI
%define TSS_ESP0             4          ; 32-bit TSS: ESP0 at offset 4
%define TSS_SS0              8          ;             SS0 at offset 8
%define DESC_BASE_LOW        2          ; descriptor: base 15..0
%define DESC_BASE_MID        4          ;             base 23..16
%define DESC_BASE_HIGH       7          ;             base 31..24
%define DESC_SIZE            8          ; bytes per GDT/LDT/IDT entry
%define DTR_SIZE             6          ; SGDT image: limit16, base32
%define DTR_BASE             2
%define POST_PORT            0x80       ; POST diagnostic port: a safe delay
%define KBC_STATUS           0x64       ; 8042 status / command port
%define KBC_INPUT_FULL       0x02       ; status: input buffer full
%define KBC_PULSE_RESET      0xFE       ; command: pulse the CPU reset line
%define KBC_WAIT_LOOPS       0x10000    ; give up on a dead controller
%define LAPIC_DEFAULT_BASE   0xFEE00000 ; local APIC MMIO after reset

        bits 32
        section .text

%macro STUB 1   ; name: a global, 16-byte aligned entry vmi_native_<name>
        align 16
        global vmi_native_%1
vmi_native_%1:
%endmacro

; ---------------------------------------------------------------------
; Do-nothing stub: what vmi_setup binds for a NOP relocation, and what
; the notification-only calls below share.
; ---------------------------------------------------------------------
STUB nop
        ret

; ---------------------------------------------------------------------
; Native-register calls.
; ---------------------------------------------------------------------
STUB CPUID                      ; EAX leaf, ECX subleaf -> EAX..EDX
        cpuid
        ret
STUB WRMSR                      ; ECX msr, EDX:EAX value
        wrmsr
        ret
STUB RDMSR                      ; ECX msr -> EDX:EAX
        rdmsr
        ret
STUB RDPMC                      ; ECX counter -> EDX:EAX
        rdpmc
        ret
STUB RDTSC                      ; -> EDX:EAX
        rdtsc
        ret
STUB INB                        ; DX port -> AL
        in al, dx
        ret
STUB INW                        ; DX port -> AX
        in ax, dx
        ret
STUB INL                        ; DX port -> EAX
        in eax, dx
        ret
STUB OUTB                       ; AL value, DX port
        out dx, al
        ret
STUB OUTW                       ; AX value, DX port
        out dx, ax
        ret
STUB OUTL                       ; EAX value, DX port
        out dx, eax
        ret
; The string calls are "rep ins/outs": EDI or ESI buffer, ECX count, DX
; port; EDI/ESI and ECX advance as the native instruction leaves them.
STUB INSB
        rep insb
        ret
STUB INSW
        rep insw
        ret
STUB INSL
        rep insd
        ret
STUB OUTSB
        rep outsb
        ret
STUB OUTSW
        rep outsw
        ret
STUB OUTSL
        rep outsd
        ret
; IRET and SYSEXIT are jumped to (JUMP_REL), not called: the stub is the
; instruction itself, with the stack or registers the caller prepared.
STUB IRET
        iretd
STUB SYSEXIT
        sysexit

; ---------------------------------------------------------------------
; Interrupt flag: only the flags change.
; ---------------------------------------------------------------------
STUB EnableInterrupts
        sti
        ret
STUB DisableInterrupts
        cli
        ret
STUB GetInterruptMask           ; -> EAX: EFLAGS (IF = VMI_INTERRUPTS_ENABLED)
        pushfd
        pop eax
        ret
STUB SetInterruptMask           ; EAX: an image from GetInterruptMask
        push eax
        popfd
        ret

; ---------------------------------------------------------------------
; Descriptor tables.
; ---------------------------------------------------------------------
; The Set* stubs also remember what they loaded, and the Get* stubs and
; UpdateKernelStack use that record rather than SGDT/SIDT/SLDT/STR: those
; never fault in ring 1, so under trap-and-emulate ("novmi" on a HyperROM
; hypervisor) they would report the hypervisor's tables, not ours.
STUB SetGDT                     ; EAX -> 6-byte limit/base image
        lgdt [eax]
        mov ecx, [eax]
        mov [loaded_gdtr], ecx
        mov cx, [eax + 4]
        mov [loaded_gdtr + 4], cx
        ret
STUB SetIDT
        lidt [eax]
        mov ecx, [eax]
        mov [loaded_idtr], ecx
        mov cx, [eax + 4]
        mov [loaded_idtr + 4], cx
        ret
STUB GetGDT                     ; EAX -> where to store the image
        sgdt [eax]              ; before any SetGDT: what the loader left
        cmp word [loaded_gdtr], 0
        je .done
        mov ecx, [loaded_gdtr]
        mov [eax], ecx
        mov cx, [loaded_gdtr + 4]
        mov [eax + 4], cx
.done:  ret
STUB GetIDT
        sidt [eax]
        cmp word [loaded_idtr], 0
        je .done
        mov ecx, [loaded_idtr]
        mov [eax], ecx
        mov cx, [loaded_idtr + 4]
        mov [eax + 4], cx
.done:  ret
STUB SetLDT                     ; AX selector (0: no LDT)
        lldt ax
        mov [loaded_ldt], ax
        ret
STUB SetTR                      ; AX selector of an available TSS
        ltr ax
        mov [loaded_tr], ax
        ret
STUB GetLDT                     ; -> EAX selector
        movzx eax, word [loaded_ldt]
        ret
STUB GetTR                      ; -> EAX selector
        movzx eax, word [loaded_tr]
        ret
; Write{GDT,LDT,IDT}Entry(EAX table, EDX index, ECX lo, [esp+4] hi):
; store the 8-byte descriptor at table + index * 8.  Natively the three
; tables are plain memory, so one body serves all three.
STUB WriteGDTEntry
write_descriptor:
        mov [eax + edx * DESC_SIZE], ecx
        mov ecx, [esp + 4]
        mov [eax + edx * DESC_SIZE + 4], ecx
        ret
STUB WriteLDTEntry
        jmp write_descriptor
STUB WriteIDTEntry
        jmp write_descriptor

; UpdateKernelStack(EAX ss, EDX esp): write SS0:ESP0 of the TSS that
; SetTR loaded, found through the GDT SetGDT loaded.  No TSS loaded yet:
; nothing to update.
STUB UpdateKernelStack
        movzx ecx, word [loaded_tr]
        and ecx, SELECTOR_INDEX_MASK
        jz .done
        add ecx, [loaded_gdtr + DTR_BASE]       ; ECX = the TSS descriptor
        push ebx
        movzx ebx, word [ecx + DESC_BASE_LOW]
        push eax
        movzx eax, byte [ecx + DESC_BASE_MID]
        shl eax, 16
        or ebx, eax
        movzx eax, byte [ecx + DESC_BASE_HIGH]
        shl eax, 24
        or ebx, eax                     ; EBX = TSS base
        pop eax
        mov [ebx + TSS_ESP0], edx
        mov [ebx + TSS_SS0], ax
        pop ebx
.done:
        ret

; ---------------------------------------------------------------------
; Control and debug registers, caches.
; ---------------------------------------------------------------------
%macro CR_STUBS 1               ; SetCR<n>(EAX value), GetCR<n>() -> EAX
STUB SetCR%1
        mov cr%1, eax
        ret
STUB GetCR%1
        mov eax, cr%1
        ret
%endmacro
CR_STUBS 0
CR_STUBS 2
CR_STUBS 3
CR_STUBS 4

; SetDR(EAX n, EDX value) for n in 0-3, 6, 7; GetDR(EAX n) -> EAX.
; Other numbers do not name a register: SetDR ignores them and GetDR
; returns 0 (the native MOV would raise #UD or alias DR4/DR5).
STUB SetDR
%assign n 0
%rep 8
  %if n != 4 && n != 5
        cmp eax, n
        jne .not%[n]
        mov dr%[n], edx
        ret
.not%[n]:
  %endif
  %assign n n + 1
%endrep
        ret
STUB GetDR
%assign n 0
%rep 8
  %if n != 4 && n != 5
        cmp eax, n
        jne .not%[n]
        mov eax, dr%[n]
        ret
.not%[n]:
  %endif
  %assign n n + 1
%endrep
        xor eax, eax
        ret

STUB CLTS
        clts
        ret
STUB WBINVD
        wbinvd
        ret

; SetIOPLMask(EAX mask): EFLAGS.IOPL = mask & 0x3000, other flags kept.
STUB SetIOPLMask
        and eax, EFLAGS_IOPL_MASK
        pushfd
        and dword [esp], ~EFLAGS_IOPL_MASK
        or [esp], eax
        popfd
        ret

; IODelay: one write to the POST port takes about a microsecond on a PC.
STUB IODelay
        out POST_PORT, al
        ret

; ---------------------------------------------------------------------
; Halting the CPU.
; ---------------------------------------------------------------------
; Halt: enable interrupts and halt until one arrives.  VMI halts are
; "safe" (Linux bound its safe_halt, sti; hlt, to VMI Halt), so the
; native stand-in is the same pair; STI's one-instruction shadow means no
; interrupt slips in between.
STUB Halt
        sti
        hlt
        ret

; Shutdown: a PC has no architectural power-off; stop for good.
STUB Shutdown
        cli
.stop:  hlt
        jmp .stop

; Reboot: ask the keyboard controller to pulse reset; if that does not
; work, triple-fault with an empty IDT.  Never returns.
STUB Reboot
        cli
        mov ecx, KBC_WAIT_LOOPS
.wait:  in al, KBC_STATUS               ; the 8042 takes commands only
        test al, KBC_INPUT_FULL         ; with its input buffer empty
        loopnz .wait
        mov al, KBC_PULSE_RESET
        out KBC_STATUS, al
        mov ecx, KBC_WAIT_LOOPS         ; the reset takes a moment
.settle:
        out POST_PORT, al
        loop .settle
        push dword 0                    ; IDT limit 0, base 0 ...
        push dword 0
        lidt [esp]
        int3                            ; ... so any trap is a triple fault
.stop:  hlt
        jmp .stop

; ---------------------------------------------------------------------
; MMU.  Natively the page tables in memory are what the CPU uses, so the
; stores happen here and the notifications are no-ops.
; ---------------------------------------------------------------------
; SetPxE(EAX entry, EDX pointer, ECX flags): store the 32-bit entry.
STUB SetPxE
        mov [edx], eax
        ret

; SetPxELong(EDX:EAX entry, ECX pointer, [esp+4] flags): store the 64-bit
; PAE entry atomically (CMPXCHG8B), so the MMU never sees half of it.
STUB SetPxELong
        push ebx
        push esi
        mov esi, ecx
        mov ebx, eax                    ; ECX:EBX = the new entry
        mov ecx, edx
        mov eax, [esi]                  ; EDX:EAX = a guess of the old one
        mov edx, [esi + 4]
.retry: lock cmpxchg8b [esi]            ; a wrong guess reloads EDX:EAX
        jnz .retry
        pop esi
        pop ebx
        ret

; UpdatePxE(pointer, flags), UpdatePxELong(pointer, flags): the entry was
; written in place; nothing to tell.
STUB UpdatePxE
        ret
STUB UpdatePxELong
        ret

; MachineToPhysical(EAX), PhysicalToMachine(EAX): natively machine and
; physical addresses (and frame numbers) are the same; return the argument.
STUB MachineToPhysical
        ret
STUB PhysicalToMachine
        ret

; AllocatePage(pfn, flags, clone pfn, start, count), ReleasePage(pfn,
; flags): page-table type changes only a hypervisor tracks.
STUB AllocatePage
        ret
STUB ReleasePage
        ret

; InvalPage(EAX linear address): drop its TLB entry.
STUB InvalPage
        invlpg [eax]
        ret

; FlushTLB(EAX flags): VMI_FLUSH_TLB reloads CR3 (non-global entries);
; with VMI_FLUSH_GLOBAL, toggling CR4.PGE drops the global ones too.
STUB FlushTLB
        test eax, VMI_FLUSH_GLOBAL
        jz .cr3
        mov edx, cr4
        test edx, CR4_PGE
        jz .cr3
        mov eax, edx
        and eax, ~CR4_PGE
        mov cr4, eax                    ; PGE off flushes everything ...
        mov cr4, edx                    ; ... and back on
        ret
.cr3:   mov eax, cr3
        mov cr3, eax
        ret

; SetLinearMapping(slot, va, pages, pfn): tells a hypervisor where the
; kernel maps physical memory; natively nobody needs to know.
STUB SetLinearMapping
        ret

; ---------------------------------------------------------------------
; Multiprocessor and local APIC.
; ---------------------------------------------------------------------
; SetInitialAPState(state pointer, APIC id): natively an AP is started
; with INIT/SIPI by the kernel itself; nothing to record.
STUB SetInitialAPState
        ret

; APICWrite(EAX register offset, EDX value), APICRead(EAX offset) -> EAX:
; the local APIC's MMIO page at its reset address, which an identity-
; mapped kernel sees at the same linear address.
STUB APICWrite
        mov [LAPIC_DEFAULT_BASE + eax], edx
        ret
STUB APICRead
        mov eax, [LAPIC_DEFAULT_BASE + eax]
        ret

; ---------------------------------------------------------------------
; Time.  Without a hypervisor there is no paravirtual clock: the kernel
; uses the TSC, PIT, APIC timer and RTC itself.
; ---------------------------------------------------------------------
; GetCycleFrequency() -> EDX:EAX: 0, "unknown"; calibrate the TSC instead.
STUB GetCycleFrequency
        xor eax, eax
        xor edx, edx
        ret

; GetCycleCounter(EAX counter) -> EDX:EAX: the TSC for REAL and
; AVAILABLE (no time is stolen natively), 0 for STOLEN.
STUB GetCycleCounter
        cmp eax, VMI_CYCLES_STOLEN
        je .stolen
        rdtsc
        ret
.stolen:
        xor eax, eax
        xor edx, edx
        ret

; SetAlarm(flags, expiry, period), CancelAlarm(flags): no paravirtual
; alarm; the kernel programs its own timer.  CancelAlarm returns 0.
STUB SetAlarm
        ret
STUB CancelAlarm
        xor eax, eax
        ret

; GetWallclockTime() -> EDX:EAX nanoseconds: 0, "unknown"; read the RTC.
STUB GetWallclockTime
        xor eax, eax
        xor edx, edx
        ret

; WallclockUpdated() -> EAX: 0, the wall clock never changes under us.
STUB WallclockUpdated
        xor eax, eax
        ret

; ---------------------------------------------------------------------
; Hypervisor housekeeping: nothing to do natively.
; ---------------------------------------------------------------------
; SetCallbacks(...): no hypervisor to call the kernel back.
STUB SetCallbacks
        ret
; SetLazyMode(EAX mode): nothing is ever queued, so nothing to flush.
STUB SetLazyMode
        ret

        section .data
; What the Set* stubs loaded (see SetGDT): limit/base images and selectors.
        align 4
loaded_gdtr:    dw 0
                dd 0
loaded_idtr:    dw 0
                dd 0
loaded_ldt:     dw 0
loaded_tr:      dw 0
