namespace Emu.Core.Contracts;

/// <summary>KVM delivering one interrupt to one vCPU: set its IRR, then notify it the way the mode requires.</summary>
public interface IInterruptDelivery
{
    /// <summary>Returns false if the vector was already pending (it coalesces).</summary>
    bool DeliverInterrupt(int target, byte vector);
}
