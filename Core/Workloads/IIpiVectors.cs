namespace Emu.Core.Workloads;

/// <summary>
/// A built-in workload's IPI vectors in the guest's device range (0x20..0xEB): a device of the same VM must not use
/// them, or its counts would take the workload's IPIs for device interrupts. Vectors at or above 0xEC need no
/// declaration (no device may use them).
/// </summary>
internal interface IIpiVectors
{
    IEnumerable<byte> IpiVectors { get; }
}
