using Emu.Core.Contracts;
using Emu.Core.Model;

namespace Emu.Plugins.Svm;

/// <summary>The hardware's destination resolution offered to other plugins (the nested model's shadow tables).</summary>
internal sealed class AvicHardware : IAvicHardware
{
    public IcrWriteOutcome ResolveDestinations(
        ReadOnlySpan<ulong> physicalTable, ReadOnlySpan<uint> logicalTable, bool flatLogical, int senderIndex, Icr icr, Span<int> targets, out int count) =>
        IcrDestinations.Resolve(physicalTable, logicalTable, flatLogical, senderIndex, icr, targets, out count);
}
