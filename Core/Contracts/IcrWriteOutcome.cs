namespace Emu.Core.Contracts;

/// <summary>Why an ICR write left the guest, if it did.</summary>
public enum IcrExitKind : byte
{
    /// <summary>Accelerated: no exit.</summary>
    None = 0,

    /// <summary>SVM_EXIT_AVIC_INCOMPLETE_IPI (0x401); the cause is in exit info 2.</summary>
    AvicIncompleteIpi = 1,

    /// <summary>No acceleration: the ICR write traps (APIC access / x2APIC MSR write) and KVM emulates it.</summary>
    IcrWriteTrap = 2,
}

/// <summary>The incomplete-IPI failure cause, bits 63:32 of exit info 2 (enum avic_ipi_failure_cause).</summary>
public enum IncompleteIpiCause : byte
{
    InvalidIntType = 0,
    TargetNotRunning = 1,
    InvalidTarget = 2,
    InvalidBackingPage = 3,
    InvalidIpiVector = 4,
}

/// <summary>What the sender of an ICR write sees: no exit, or an exit with KVM's exit information.</summary>
public readonly record struct IcrWriteOutcome(IcrExitKind Exit, ulong ExitCode, ulong ExitInfo1, ulong ExitInfo2)
{
    public const ulong SvmExitAvicIncompleteIpi = 0x401;
    public const ulong SvmExitAvicUnacceleratedAccess = 0x402;

    public static IcrWriteOutcome Accelerated => default;

    public bool Exits => Exit != IcrExitKind.None;

    /// <summary>The failure cause of an incomplete-IPI exit (exit info 2, bits 63:32).</summary>
    public IncompleteIpiCause Cause => (IncompleteIpiCause)(ExitInfo2 >> 32);

    /// <summary>The table index of an incomplete-IPI exit (exit info 2, low bits).</summary>
    public int Index => (int)(ExitInfo2 & 0x1FF);

    public static IcrWriteOutcome IncompleteIpi(Model.Icr icr, IncompleteIpiCause cause, int index) =>
        new(IcrExitKind.AvicIncompleteIpi, SvmExitAvicIncompleteIpi, icr.Low | ((ulong)icr.High << 32), ((ulong)cause << 32) | (uint)index);

    public static IcrWriteOutcome Trap(Model.Icr icr) =>
        new(IcrExitKind.IcrWriteTrap, 0, icr.Low | ((ulong)icr.High << 32), 0);
}
