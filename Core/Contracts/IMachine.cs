using Emu.Core.Engine;
using Emu.Core.Model;
using Emu.Core.Results;
using Emu.Core.Topology;

namespace Emu.Core.Contracts;

/// <summary>
/// What Core exposes to plugins during a run: time, the host and guests, vCPU state as KVM sees it, the
/// counters that become results, and the few actions by which interrupt virtualization changes the world.
/// vCPUs are numbered globally (0 .. VcpuCount-1) across VMs; tasks are vCPU threads first, then host tasks.
/// </summary>
public interface IMachine
{
    Simulator Engine { get; }

    long Now { get; }

    /// <summary>The scenario seed: a plugin derives its own random streams from it (RandomStream.Derive).</summary>
    long Seed { get; }

    HostTopology Topology { get; }

    IReadOnlyList<VmInfo> Vms { get; }

    int VcpuCount { get; }

    SimulationCounters Counters { get; }

    CostModel Costs { get; }

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

    /// <summary>
    /// Sets a vector in the target's IRR, as hardware or KVM does on its backing page. Returns false if it was
    /// already pending (coalesced). A halt-polling target notices and stops polling.
    /// </summary>
    bool SetIrr(int target, byte vector);

    /// <summary>The target, in guest mode, takes its pending interrupts now without an exit (doorbell, posted interrupt).</summary>
    void AcceptInGuest(int target);

    /// <summary>kvm_vcpu_kick without AVIC: a target in guest mode exits so the interrupt is injected on re-entry.</summary>
    void Kick(int target);

    /// <summary>kvm_vcpu_wake_up: wakes the target if it is blocked; nothing otherwise. Returns true if it woke it.</summary>
    bool WakeUp(int target);

    /// <summary>Charges <paramref name="ns"/> of the pCPU's time to whatever task runs there (an unblockable doorbell, say).</summary>
    void StealTime(int pcpu, long ns);

    /// <summary>
    /// A doorbell that found no running target on <paramref name="pcpu"/>: counts it as spurious (and as on a
    /// foreign task when what runs there is not a vCPU of <paramref name="senderVm"/>) and charges
    /// <paramref name="ns"/> to that task (contract 1.1).
    /// </summary>
    void ChargeSpuriousDoorbell(int pcpu, int senderVm, int target, long ns);

    /// <summary>Stops the run with a report: a broken invariant.</summary>
    void ReportViolation(string message);

    /// <summary>Records a lost wake-up: a blocked vCPU with a pending interrupt and no wake-up on its way.</summary>
    void ReportLostWakeup(int vcpu, string detail);

    /// <summary>Emits a trace instant (no cost when no trace sink listens).</summary>
    void TraceInstant(int pcpu, TraceKind kind, int vcpu, long argument);

    /// <summary>True when invariants are checked after every event.</summary>
    bool CheckInvariants { get; }

    /// <summary>Registers a check that runs after every event in check mode (it calls <see cref="ReportViolation"/>).</summary>
    void AddInvariant(Action check);
}
