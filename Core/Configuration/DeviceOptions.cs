using System.ComponentModel.DataAnnotations;
using Emu.Core.Model;

namespace Emu.Core.Configuration;

/// <summary>
/// One entry of <c>Vms:i:Devices</c>: an assigned device (VFIO) whose MSI-X interrupts go to the VM's vCPUs, posted
/// through the IOMMU's guest-mode IRTE when an interrupt-virtualization plugin provides one, or taken by the host and
/// injected by KVM otherwise.
/// </summary>
public sealed class DeviceOptions
{
    /// <summary>Longest device name accepted.</summary>
    public const int MaxNameLength = 64;

    [Required(ErrorMessage = "is required")]
    [StringLength(MaxNameLength, MinimumLength = 1, ErrorMessage = "must be 1 to {1} characters")]
    public string Name { get; set; } = "";

    /// <summary>
    /// Mean time between interrupts (<see cref="DeviceTrigger.Interval"/>) or from a request to its completion
    /// (<see cref="DeviceTrigger.UserspaceExit"/>).
    /// </summary>
    [Range(1, 3_600_000_000_000, ErrorMessage = "must be between {1} and {2} ns")]
    public long IntervalNs { get; set; } = 20_000;

    /// <summary>Each gap is drawn uniformly in IntervalNs x [1 - Jitter, 1 + Jitter] from the device's own seeded stream.</summary>
    [Range(0.0, 1.0, ErrorMessage = "must be between {1} and {2}")]
    public double Jitter { get; set; }

    /// <summary>The MSI vector: one of the guest's device vectors (0x20..0xEB, below Linux's system vectors).</summary>
    [Range(DeviceInfo.FirstVector, DeviceInfo.LastVector, ErrorMessage = "must be between {1} and {2} (0x20..0xEB, the guest's device vectors)")]
    public int Vector { get; set; } = 0x40;

    /// <summary>The vCPUs (indices in the VM) the interrupts go to, in turn; at least one.</summary>
    public List<int> Vcpus { get; set; } = new();

    /// <summary>Posted through the IOMMU (guest-mode IRTE) when the interrupt virtualization provides it; false: remapped to the host.</summary>
    public bool Posted { get; set; } = true;

    public DeviceTrigger Trigger { get; set; } = DeviceTrigger.Interval;

    /// <summary>The pCPU that takes the device's host interrupt when it is not posted; -1: the one its target vCPU last ran on.</summary>
    [Range(-1, int.MaxValue, ErrorMessage = "must be -1 (the target's pCPU) or a pCPU id")]
    public int HostCpu { get; set; } = -1;
}
