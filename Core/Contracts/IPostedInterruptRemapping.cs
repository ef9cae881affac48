namespace Emu.Core.Contracts;

/// <summary>
/// The IOMMU's interrupt remapping in guest (vAPIC) mode, as an interrupt-virtualization plugin provides it (AMD's
/// IRTE with GuestMode = 1, Intel's posted-interrupt descriptor): Core raises a device's interrupt, the plugin posts it.
/// Register it as a service; without one every device interrupt is taken by the host and injected by KVM.
/// </summary>
public interface IPostedInterruptRemapping
{
    /// <summary>
    /// The IOMMU remaps one interrupt of device <paramref name="device"/> (an index of <see cref="IMachineView.Devices"/>)
    /// for vCPU <paramref name="target"/> through its IRTE: sets the vector in the target's IRR and rings a doorbell or
    /// logs it, reporting through <see cref="IDeviceInterruptTargets"/>. Returns false, having done nothing, when that
    /// IRTE is not in guest mode now (AVIC inhibited for the target): Core then delivers the interrupt through the host.
    /// </summary>
    bool Post(int device, int target);
}
