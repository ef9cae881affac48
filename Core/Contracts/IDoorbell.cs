namespace Emu.Core.Contracts;

/// <summary>
/// The AVIC doorbell (MSR 0xC001011B) as a service the interrupt-virtualization plugin provides, so that a nested
/// layer rings its L2 targets through the same code, costs and counts as L1's.
/// </summary>
public interface IDoorbell
{
    /// <summary>Rings <paramref name="hostApicId"/> for vCPU <paramref name="target"/>, on behalf of VM <paramref name="senderVm"/>.</summary>
    void Ring(int hostApicId, int target, int senderVm);

    /// <summary>
    /// Rings <paramref name="hostApicId"/> for a nested target (an id of the <see cref="INestedInterruptVirtualization"/>
    /// layer's own), on behalf of VM <paramref name="senderVm"/>; it arrives as an L1 doorbell for the target's host vCPU.
    /// </summary>
    void RingNested(int hostApicId, int target, int senderVm);
}
