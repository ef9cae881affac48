using Emu.Core.Model;

namespace Emu.Core.Contracts;

/// <summary>
/// The AVIC hardware's destination resolution for a guest ICR write, over any table pair in the APM's layout
/// (physical APIC ID table of 64-bit entries, logical APIC ID table of 32-bit entries). The interrupt
/// virtualization plugin provides it so that a nested model runs the same hardware rules over its shadow
/// tables instead of copying them.
/// </summary>
public interface IAvicHardware
{
    /// <summary>
    /// Resolves <paramref name="icr"/> written by the vCPU at physical-table index <paramref name="senderIndex"/>:
    /// on success returns <see cref="IcrWriteOutcome.Accelerated"/> with the reached physical-table indexes in
    /// <paramref name="targets"/>; otherwise the incomplete-IPI outcome (cause and index) the hardware exits with
    /// before writing any IRR. Whether each target IsRunning is the caller's to read from its table.
    /// </summary>
    IcrWriteOutcome ResolveDestinations(
        ReadOnlySpan<ulong> physicalTable, ReadOnlySpan<uint> logicalTable, bool flatLogical, int senderIndex, Icr icr, Span<int> targets, out int count);
}
