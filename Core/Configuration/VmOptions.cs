using System.ComponentModel.DataAnnotations;

namespace Emu.Core.Configuration;

/// <summary>One entry of the Vms array.</summary>
public sealed class VmOptions
{
    [Required(ErrorMessage = "is required")]
    [StringLength(64, MinimumLength = 1, ErrorMessage = "must be 1 to {1} characters")]
    public string Name { get; set; } = "";

    /// <summary>xAPIC AVIC addresses at most 255 vCPUs (index 0xFF is broadcast).</summary>
    [Range(1, 255, ErrorMessage = "must be between {1} and {2} (xAPIC destination 0xFF is broadcast)")]
    public int Vcpus { get; set; } = 1;

    /// <summary>Scheduler weight of this VM's vCPU threads (1024 = nice 0).</summary>
    [Range(1, 88761, ErrorMessage = "must be between {1} and {2}")]
    public int Weight { get; set; } = 1024;

    /// <summary>pCPUs this VM's vCPUs may run on (empty: any), e.g. [0, 1, 2].</summary>
    public List<int> Cpus { get; set; } = new();

    /// <summary>
    /// Per-vCPU affinity, narrower than <see cref="Cpus"/>: vCPU index to the pCPUs its thread may use,
    /// e.g. { "0": [0], "1": [2, 3] } (or an array of arrays). vCPUs not named use <see cref="Cpus"/>.
    /// </summary>
    public Dictionary<int, List<int>> VcpuCpus { get; set; } = new();

    public WorkloadSelection Workload { get; set; } = new();

    /// <summary>
    /// false: KVM_X86_DISABLE_EXITS_HLT (common in 1:1-pinned setups): HLT stays in guest mode, the vCPU keeps its pCPU
    /// and IsRunning = 1, and no HLT exit happens; an interrupt ends the halt in the guest.
    /// </summary>
    public bool HltExits { get; set; } = true;

    /// <summary>
    /// cpuidle-haltpoll in the guest: before executing HLT the guest spins this long in guest mode; it then disables
    /// KVM's own halt-polling for the vCPU (MSR_KVM_POLL_CONTROL, kvm_arch_no_poll). 0 = off.
    /// </summary>
    [Range(0, 100_000_000, ErrorMessage = "must be between {1} and {2} ns")]
    public long GuestHaltPollNs { get; set; }

    /// <summary>Assigned devices whose interrupts go to this VM's vCPUs.</summary>
    public List<DeviceOptions> Devices { get; set; } = new();
}

/// <summary>The Kind of a VM's workload; the workload reads its other keys itself.</summary>
public sealed class WorkloadSelection
{
    public string Kind { get; set; } = "Mixed";
}
