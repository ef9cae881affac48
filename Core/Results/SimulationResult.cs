using System.Text.Json.Nodes;

namespace Emu.Core.Results;

/// <summary>
/// What a run produced: the object the host writes as result.json (docs/results.md). Property order is the
/// JSON key order. Every field but <see cref="WallSeconds"/> is a function of the configuration and seed.
/// </summary>
public sealed record SimulationResult(
    int SchemaVersion,
    JsonNode Config,
    long Seed,
    long SimulatedNs,
    long Events,
    double WallSeconds,
    bool Completed,
    string? Failure,
    string InterruptVirtualization,
    string Scheduler,
    SchedulerFallbackResult? SchedulerFallback,
    Totals Totals,
    IReadOnlyList<VmResult> Vms,
    IReadOnlyList<PcpuResult> Pcpus,
    IReadOnlyList<TaskResult> Tasks,
    IReadOnlyList<LostWakeupResult> LostWakeups)
{
    public const int CurrentSchemaVersion = 1;

    /// <summary>VM exits by reason as `perf kvm stat` reports them: count and time from the exit to the next VMRUN.</summary>
    public IReadOnlyList<ExitStatResult> ExitStats { get; init; } = Array.Empty<ExitStatResult>();

    /// <summary>What produced the result: Emu, the runtime, the plugins (machine-dependent, like <see cref="WallSeconds"/>).</summary>
    [System.Text.Json.Serialization.JsonIgnore(Condition = System.Text.Json.Serialization.JsonIgnoreCondition.WhenWritingNull)]
    public Producer? Producer { get; init; }
}

public sealed record Totals(
    long IpisSent,
    long IpisDelivered,
    long IpisCoalesced,
    long InterruptsAccepted,
    Doorbells Doorbells,
    VmExits VmExits,
    LatencySummary IpiLatencyNs,
    long Kicks,
    Signals Signals,
    long Wakeups,
    long LostWakeups,
    HaltPolls HaltPolls,
    long ContextSwitches,
    long StolenNs,
    long StolenNsOnForeignTasks,
    DeviceInterruptsResult DeviceInterrupts);

/// <summary>
/// Interrupts of assigned devices (docs/results.md): sent = posted + remapped; an IOMMU doorbell (posted, IRTE IsRun = 1)
/// landed toRunningTarget, toTargetInHost or spurious (spuriousOnForeignTask among them); gaLogEntries (IsRun = 0,
/// GALogIntr = 1) were handled by gaLogInterrupts; wakeups are the vCPUs woken for a device interrupt; every one sent is
/// accepted or still pending at the end; latency is from the device raising it to the guest taking it.
/// </summary>
public sealed record DeviceInterruptsResult(
    long Sent,
    long Posted,
    long Remapped,
    long Doorbells,
    long ToRunningTarget,
    long ToTargetInHost,
    long Spurious,
    long SpuriousOnForeignTask,
    long GaLogEntries,
    long GaLogInterrupts,
    long Wakeups,
    long Accepted,
    long Pending,
    LatencySummary LatencyNs);

/// <summary>
/// One exit reason (KVM's name, e.g. "avic_incomplete_ipi"): exits, their total, mean, shortest and longest time from
/// the exit to the next VMRUN, and the share of all exits' time (perf kvm stat's Time%).
/// </summary>
public sealed record ExitStatResult(string Reason, long Count, long TotalNs, long MeanNs, long MinNs, long MaxNs, double TimeShare);

/// <summary>One device's interrupts (vms[i].devices).</summary>
public sealed record DeviceResult(string Name, int Vector, bool Posted, DeviceInterruptsResult Interrupts);

/// <summary>Interrupts that are not vectors (kvm_apic_accept_irq): NMIs taken, SMIs requested, INITs accepted, SIPIs that started a vCPU.</summary>
public sealed record Signals(long NmisTaken, long Smis, long Inits, long Sipis);

/// <summary>KVM's halt-polling (update_halt_poll_stats): polls attempted, successful (the vCPU never scheduled out), time polling.</summary>
public sealed record HaltPolls(long Attempted, long Successful, long PollNs);

/// <summary>
/// Doorbells by where they landed: sent = toRunningTarget (taken in guest mode) + toTargetInHost (the target's thread
/// there in host mode) + spurious (anything else); coalesced ones (arriving while the previous one at that pCPU
/// was still being handled) are among the last two and cost nothing more.
/// </summary>
public sealed record Doorbells(long Sent, long ToRunningTarget, long ToTargetInHost, long Spurious, long SpuriousOnForeignTask, long Coalesced);

public sealed record VmExits(
    IncompleteIpiExits AvicIncompleteIpi,
    long AvicUnacceleratedAccess,
    long IcrWrite,
    long Hlt,
    long Userspace,
    long Mmio,
    long ExternalInterrupt,
    long Other,
    long Nested,
    long Total);

public sealed record IncompleteIpiExits(long TargetNotRunning, long InvalidTarget, long InvalidIntType, long InvalidBackingPage, long InvalidIpiVector);

public sealed record LatencySummary(long Count, long P50, long P90, long P99, long Max, double Mean);

public sealed record VmResult(string Name, IReadOnlyList<VcpuResult> Vcpus)
{
    /// <summary>The VM's device interrupts, when it has devices (left out otherwise).</summary>
    [System.Text.Json.Serialization.JsonIgnore(Condition = System.Text.Json.Serialization.JsonIgnoreCondition.WhenWritingNull)]
    public DeviceInterruptsResult? DeviceInterrupts { get; init; }

    /// <summary>Each of the VM's devices, when it has any (left out otherwise).</summary>
    [System.Text.Json.Serialization.JsonIgnore(Condition = System.Text.Json.Serialization.JsonIgnoreCondition.WhenWritingNull)]
    public IReadOnlyList<DeviceResult>? Devices { get; init; }

    /// <summary>Plugins' own sections of this VM (<see cref="Contracts.IResultSection"/>), by key, after <see cref="Vcpus"/>.</summary>
    /// <remarks>Settable, not init-only: System.Text.Json's source generator cannot read extension data into an init-only property.</remarks>
    [System.Text.Json.Serialization.JsonExtensionData]
    public Dictionary<string, System.Text.Json.JsonElement>? Sections { get; set; }
}

public sealed record VcpuResult(
    int Id,
    int ApicId,
    long IpisSent,
    long IpisReceived,
    long InterruptsAccepted,
    long VmExits,
    long IncompleteIpiExits,
    long HltExits,
    long UserspaceExits,
    long Wakeups,
    long LatencyMeanNs,
    long LatencyMaxNs,
    long GuestNs,
    long HostNs,
    long UserspaceNs,
    long StolenNs,
    long RunQueueWaitNs,
    long ContextSwitches,
    HaltPolls HaltPolls);

public sealed record PcpuResult(
    int Id,
    int ApicId,
    long BusyNs,
    long GuestNs,
    long HostNs,
    long HostTaskNs,
    long IdleNs,
    long DoorbellsReceived,
    long SpuriousDoorbells,
    long ContextSwitches);

/// <summary>One schedulable thread: a vCPU's (Vm, Vcpu = its index in the VM) or a host task's (Vm = Vcpu = -1).</summary>
public sealed record TaskResult(
    int Id,
    string Name,
    int Vm,
    int Vcpu,
    long OnCpuNs,
    long RunQueueWaitNs,
    long MaxRunQueueWaitNs,
    long ContextSwitches,
    long Migrations,
    long StolenNs);

/// <summary>The watchdog ejected the configured policy at <see cref="TimeNs"/> and <see cref="To"/> took over.</summary>
public sealed record SchedulerFallbackResult(long TimeNs, int Task, string TaskName, string From, string To, string Reason);

public sealed record LostWakeupResult(int Vcpu, long TimeNs, string Detail);
