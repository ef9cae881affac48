namespace Emu.Core.Contracts;

/// <summary>
/// Nested (L2) AVIC state of an L1 vCPU, as a layer over the interrupt-virtualization plugin: that plugin calls
/// these from its own load / put / blocking paths when a plugin provides them, and does nothing when none
/// does; its doorbells reach an L2 target through <see cref="IDoorbell.RingNested"/>.
/// </summary>
public interface INestedInterruptVirtualization
{
    void Initialize(IVirtualizationContext context);

    /// <summary>__nested_avic_load: point shadow entries that name this L1 vCPU at <paramref name="pcpu"/>.</summary>
    void NestedLoad(int vcpu, int pcpu);

    /// <summary>__nested_avic_put: clear IsRunning of shadow entries that name this L1 vCPU.</summary>
    void NestedPut(int vcpu);

    /// <summary>The L1 vCPU (global id) whose thread runs nested doorbell target <paramref name="target"/>.</summary>
    int HostVcpuOf(int target);

    /// <summary>
    /// A doorbell for nested target <paramref name="target"/> arrived where <paramref name="landing"/> says: in guest
    /// mode on its host vCPU the target takes its IRR if it is the L2 vCPU running there now.
    /// </summary>
    void DoorbellArrived(int target, DoorbellLanding landing);
}
