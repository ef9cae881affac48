namespace Emu.Host.Traces;

/// <summary>What a recorded exit can become in a replay, by its reason (SVM and VMX names, as printed).</summary>
internal enum ExitClass
{
    /// <summary>Nothing by itself: its host time is dropped (Emu models preemption, the tick, kicks itself).</summary>
    Other,

    /// <summary>hlt / HLT / EXIT_HLT: a halt for the time until the next kvm_entry.</summary>
    Halt,

    /// <summary>io / IO_INSTRUCTION / EXIT_IOIO: an I/O exit, in the kernel or (with kvm_userspace_exit) in the VMM.</summary>
    Io,

    /// <summary>npf / EPT_MISCONFIG / EPT_VIOLATION / EXIT_NPF: an MMIO exit when kvm_mmio says so, a page fault otherwise.</summary>
    NestedPageFault,

    /// <summary>
    /// interrupt / EXTERNAL_INTERRUPT / EXIT_INTR: a host interrupt: a kick (an IPI to a running vCPU), a device's,
    /// or the host's tick, which preempts the vCPU thread when a sched_switch follows.
    /// </summary>
    ExternalInterrupt,
}

internal static class ExitClasses
{
    public static ExitClass Of(ReadOnlySpan<byte> reason)
    {
        if (reason.StartsWith("EXIT_"u8))
        {
            reason = reason[5..]; // trace-cmd's kvm plugin: EXIT_HLT, EXIT_IOIO, EXIT_NPF
        }

        int space = reason.IndexOf((byte)' ');
        if (space >= 0)
        {
            reason = reason[..space]; // VMX flags after the name
        }

        return Is(reason, "hlt"u8) ? ExitClass.Halt
            : Is(reason, "io"u8) || Is(reason, "ioio"u8) || Is(reason, "io_instruction"u8) ? ExitClass.Io
            : Is(reason, "npf"u8) || Is(reason, "ept_misconfig"u8) || Is(reason, "ept_violation"u8) ? ExitClass.NestedPageFault
            : Is(reason, "interrupt"u8) || Is(reason, "intr"u8) || Is(reason, "external_interrupt"u8) ? ExitClass.ExternalInterrupt
            : ExitClass.Other;
    }

    private static bool Is(ReadOnlySpan<byte> reason, ReadOnlySpan<byte> lowerName)
    {
        if (reason.Length != lowerName.Length)
        {
            return false;
        }

        for (int i = 0; i < reason.Length; i++)
        {
            byte c = reason[i];
            if ((c is >= (byte)'A' and <= (byte)'Z' ? (byte)(c | 0x20) : c) != lowerName[i])
            {
                return false;
            }
        }

        return true;
    }
}
