using Emu.Core.Model;
namespace Emu.Plugins.Svm;

/// <summary>
/// A VM's physical APIC ID table, indexed by guest physical APIC ID, as the hardware reads it. xAPIC AVIC
/// indexes at most 0xFE (<see cref="MaxIndex"/>), since 0xFF is the broadcast destination.
/// </summary>
public sealed class PhysicalApicIdTable
{
    /// <summary>AVIC_MAX_PHYSICAL_ID for xAPIC.</summary>
    public const int MaxIndex = 0xFE;

    private readonly ulong[] _entries;

    public PhysicalApicIdTable(int entries)
    {
        if (entries < 1 || entries > MaxIndex + 1)
        {
            throw new ArgumentOutOfRangeException(nameof(entries), entries, $"an xAPIC AVIC table holds 1..{MaxIndex + 1} entries");
        }

        _entries = new ulong[entries];
    }

    /// <summary>The raw 64-bit entries, as the hardware reads them.</summary>
    public ReadOnlySpan<ulong> Raw => _entries;

    /// <summary>Entries the table holds (the max-index field of avic_physical_id, plus one).</summary>
    public int Count => _entries.Length;

    public PhysicalApicIdEntry this[int index]
    {
        get => new(_entries[index]);
        set => _entries[index] = value.Value;
    }

    /// <summary>True if the hardware would read an entry at this index (within the table's max index).</summary>
    public bool InRange(int index) => (uint)index < (uint)_entries.Length;

    /// <summary>The table in hex, one line per entry, as KVM's tracepoints and a debugger would show it.</summary>
    public IEnumerable<string> Dump()
    {
        for (int i = 0; i < _entries.Length; i++)
        {
            yield return $"  [{i:X2}] {new PhysicalApicIdEntry(_entries[i])}";
        }
    }
}
