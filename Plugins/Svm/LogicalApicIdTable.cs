using Emu.Core.Model;
namespace Emu.Plugins.Svm;

/// <summary>
/// A VM's logical APIC ID table (4 KiB of 32-bit entries; xAPIC only). KVM writes an entry when the guest
/// writes LDR/DFR (avic_get_logical_id_entry): flat mode indexes by the position of the single LDR bit,
/// cluster mode by cluster * 4 + bit.
/// </summary>
public sealed class LogicalApicIdTable
{
    /// <summary>4 KiB / 4 bytes.</summary>
    public const int Entries = 1024;

    private readonly uint[] _entries = new uint[Entries];

    /// <summary>The raw 32-bit entries, as the hardware reads them.</summary>
    public ReadOnlySpan<uint> Raw => _entries;

    public LogicalApicIdEntry this[int index]
    {
        get => new(_entries[index]);
        set => _entries[index] = value.Value;
    }

    public IEnumerable<string> Dump()
    {
        for (int i = 0; i < Entries; i++)
        {
            if (_entries[i] != 0)
            {
                yield return $"  [{i:X3}] {new LogicalApicIdEntry(_entries[i])}";
            }
        }
    }
}
