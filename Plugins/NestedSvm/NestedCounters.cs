namespace Emu.Plugins.NestedSvm;

/// <summary>One VM's counts of the nested (L2) interrupt path: the plugin's own, reported as vms[i].nested.</summary>
internal sealed class NestedCounters
{
    public long L2IpisSent;
    public long L2IpisDelivered;
    public long L2ExitsToL0;
    public long L2ExitsReflectedToL1;
    public long L2ExitsHiddenByL0;
    public long L2Doorbells;
    public long L2SpuriousDoorbells;

    public void Reset()
    {
        L2IpisSent = L2IpisDelivered = L2ExitsToL0 = L2ExitsReflectedToL1 = L2ExitsHiddenByL0 = L2Doorbells = L2SpuriousDoorbells = 0;
    }

    public NestedResult ToResult() =>
        new(L2IpisSent, L2IpisDelivered, L2ExitsToL0, L2ExitsReflectedToL1, L2ExitsHiddenByL0, L2Doorbells, L2SpuriousDoorbells);
}

/// <summary>vms[i].nested in result.json (null for a VM without an L2 guest).</summary>
public sealed record NestedResult(
    long L2IpisSent,
    long L2IpisDelivered,
    long L2ExitsToL0,
    long L2ExitsReflectedToL1,
    long L2ExitsHiddenByL0,
    long L2Doorbells,
    long L2SpuriousDoorbells);
