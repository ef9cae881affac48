using Emu.Core.Model;
using Emu.Core.Topology;

namespace Emu.Core.Contracts;

/// <summary>
/// The machine, read-only: time, the host and guests, and vCPU state as KVM sees it. What every plugin and an
/// embedding program may look at; nothing here changes the run. vCPUs are numbered globally
/// (0 .. VcpuCount-1) across VMs; tasks are vCPU threads first, then host tasks.
/// </summary>
public interface IMachineView
{
    long Now { get; }

    /// <summary>The scenario seed: a plugin derives its own random streams from it (RandomStream.Derive).</summary>
    long Seed { get; }

    HostTopology Topology { get; }

    IReadOnlyList<VmInfo> Vms { get; }

    /// <summary>Every VM's assigned devices (Vms:i:Devices), numbered globally in VM order.</summary>
    IReadOnlyList<DeviceInfo> Devices { get; }

    int VcpuCount { get; }

    int TaskCount { get; }

    CostModel Costs { get; }

    /// <summary>True when invariants are checked after every event.</summary>
    bool CheckInvariants { get; }

    ref readonly VcpuInfo Vcpu(int vcpu);

    /// <summary>The lifecycle state of the vCPU (DESIGN section 2).</summary>
    VcpuState StateOf(int vcpu);

    /// <summary>True between KVM's load and put.</summary>
    bool IsLoaded(int vcpu);

    /// <summary>True between the blocking and unblocking hooks (kvm_vcpu_is_blocking).</summary>
    bool IsBlocking(int vcpu);

    /// <summary>The pCPU the vCPU is loaded on, or the last one it was loaded on (vcpu->cpu); -1 if never.</summary>
    int CpuOf(int vcpu);

    /// <summary>The vCPU whose thread runs on the pCPU now, or -1 (idle, a host task, or switching).</summary>
    int VcpuOnCpu(int pcpu);

    /// <summary>The task that runs on the pCPU now, or -1 when idle.</summary>
    int TaskOnCpu(int pcpu);

    /// <summary>The vCPU of a task, or -1 for a host task.</summary>
    int VcpuOfTask(int task);

    /// <summary>The vCPU's virtual APIC IRR (the backing page's 0x200-0x270).</summary>
    ref readonly InterruptRequestRegister Irr(int vcpu);
}
