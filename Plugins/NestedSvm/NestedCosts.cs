using System.ComponentModel.DataAnnotations;

namespace Emu.Plugins.NestedSvm;

/// <summary>The NestedSvm plugin's keys of the Costs section, in nanoseconds, beyond Costs:VmExitNs. Sources: docs/costs.md.</summary>
public sealed class NestedCosts
{
    /// <summary>L0's extra work for an exit of an L2 guest it handles itself (vmcb02 sync, nested state checks; assumption).</summary>
    [Range(0, 100_000_000, ErrorMessage = "must be between {1} and {2} ns")]
    public long NestedExitNs { get; set; } = 1_500;

    /// <summary>An L2 exit reflected to L1: L0 emulates #VMEXIT into L1, L1 handles it and VMRUNs again (assumption).</summary>
    [Range(0, 100_000_000, ErrorMessage = "must be between {1} and {2} ns")]
    public long NestedReflectNs { get; set; } = 8_000;
}
