namespace Emu.Core.Contracts;

/// <summary>
/// Nested (L2) AVIC state of an L1 vCPU. The interrupt-virtualization plugin calls these from its own
/// load / put / blocking paths when a plugin provides them, and does nothing when none does.
/// </summary>
public interface INestedInterruptVirtualization
{
    void Initialize(IMachine machine);

    /// <summary>__nested_avic_load: point shadow entries that name this L1 vCPU at <paramref name="pcpu"/>.</summary>
    void NestedLoad(int vcpu, int pcpu);

    /// <summary>__nested_avic_put: clear IsRunning of shadow entries that name this L1 vCPU.</summary>
    void NestedPut(int vcpu);
}
