using HdrHistogram;

namespace Emu.Core.Results;

/// <summary>
/// Everything Core counts. Its components increment the fields directly on the hot path (plain fields,
/// preallocated arrays, an HdrHistogram whose recording does not allocate); plugins count through
/// <see cref="Contracts.IInterruptTargets"/> or in their own <see cref="Contracts.IResultSection"/>.
/// <see cref="ResultBuilder"/> turns them into a <see cref="SimulationResult"/>.
/// </summary>
internal sealed class SimulationCounters
{
    /// <summary>Highest latency the histograms track: 10 simulated seconds.</summary>
    public const long MaxTrackedLatencyNs = 10_000_000_000;

    /// <summary>
    /// Over per-vCPU and per-pCPU counters the machine allocated next to each vCPU's and pCPU's runtime state, so
    /// that an event's writes to them land near what it reads (issue 19: at 4,096 vCPUs the state outgrows the cache).
    /// </summary>
    public SimulationCounters(VcpuCounters[] vcpus, PcpuCounters[] pcpus)
    {
        Vcpus = vcpus;
        Pcpus = pcpus;
    }

    public long IpisSent;
    public long IpisDelivered;
    public long IpisCoalesced;
    public long InterruptsAccepted;
    public long DoorbellsSent;
    public long DoorbellsToRunningTarget;
    public long DoorbellsToTargetInHost;
    public long DoorbellsCoalesced;
    public long DoorbellsSpurious;
    public long DoorbellsSpuriousOnForeignTask;
    public long ExitsTargetNotRunning;
    public long ExitsInvalidTarget;
    public long ExitsInvalidIntType;
    public long ExitsInvalidBackingPage;
    public long ExitsInvalidIpiVector;
    public long ExitsUnacceleratedAccess;
    public long ExitsIcrWrite;
    public long ExitsHlt;
    public long ExitsUserspace;
    public long ExitsMmio;
    public long ExitsExternalInterrupt;
    public long ExitsOther;

    /// <summary>Exits of nested (L2) guests, counted when the L1 vCPU leaves guest mode for them.</summary>
    public long ExitsNested;
    public long Kicks;
    public long NmisTaken;
    public long Smis;
    public long Inits;
    public long Sipis;
    public long Wakeups;
    public long LostWakeups;
    public long HaltPollsAttempted;
    public long HaltPollsSuccessful;
    public long HaltPollNs;
    public long StolenNsOnForeignTasks;
    public long StolenNs;
    public long ContextSwitches;

    /// <summary>Per exit reason (<see cref="Model.ExitReason"/>): count, total, shortest and longest time from the exit to the next VMRUN.</summary>
    public ExitStat[] ExitStats { get; } = Enumerable.Range(0, Model.ExitReasonNames.Count).Select(_ => new ExitStat()).ToArray();

    public void RecordExit(Model.ExitReason reason, long ns)
    {
        var s = ExitStats[(int)reason];
        s.Count++;
        s.TotalNs += ns;
        if (s.Count == 1 || ns < s.MinNs)
        {
            s.MinNs = ns;
        }

        if (ns > s.MaxNs)
        {
            s.MaxNs = ns;
        }
    }

    /// <summary>IPI latency: IRR set to the interrupt taken in the guest.</summary>
    public LongHistogram IpiLatency { get; } = new(MaxTrackedLatencyNs, 3);

    public VcpuCounters[] Vcpus { get; }
    public PcpuCounters[] Pcpus { get; }

    public long TotalVmExits =>
        ExitsTargetNotRunning + ExitsInvalidTarget + ExitsInvalidIntType + ExitsInvalidBackingPage + ExitsInvalidIpiVector
        + ExitsUnacceleratedAccess + ExitsIcrWrite + ExitsHlt + ExitsUserspace + ExitsMmio + ExitsExternalInterrupt + ExitsOther + ExitsNested;

    /// <summary>An IPI taken <paramref name="latency"/> ns after its IRR bit was set, by the vCPU of <paramref name="vcpu"/>.</summary>
    public void RecordIpiLatency(VcpuCounters vcpu, long latency)
    {
        vcpu.LatencyCount++;
        vcpu.LatencySumNs += latency;
        if (latency > vcpu.LatencyMaxNs)
        {
            vcpu.LatencyMaxNs = latency;
        }

        if (latency <= MaxTrackedLatencyNs)
        {
            IpiLatency.RecordValue(latency);
        }
    }

    /// <summary>Forgets everything counted so far (the end of the warm-up).</summary>
    public void Reset()
    {
        IpisSent = IpisDelivered = IpisCoalesced = InterruptsAccepted = 0;
        DoorbellsSent = DoorbellsToRunningTarget = DoorbellsToTargetInHost = DoorbellsCoalesced = DoorbellsSpurious = DoorbellsSpuriousOnForeignTask = 0;
        ExitsTargetNotRunning = ExitsInvalidTarget = ExitsInvalidIntType = ExitsInvalidBackingPage = ExitsInvalidIpiVector = 0;
        ExitsUnacceleratedAccess = ExitsIcrWrite = ExitsHlt = ExitsUserspace = ExitsMmio = ExitsExternalInterrupt = ExitsOther = ExitsNested = 0;
        Kicks = NmisTaken = Smis = Inits = Sipis = Wakeups = LostWakeups = HaltPollsAttempted = HaltPollsSuccessful = HaltPollNs = StolenNsOnForeignTasks = StolenNs = ContextSwitches = 0;
        IpiLatency.Reset();
        foreach (var s in ExitStats)
        {
            s.Count = s.TotalNs = s.MinNs = s.MaxNs = 0;
        }

        foreach (var v in Vcpus)
        {
            v.Reset();
        }

        foreach (var p in Pcpus)
        {
            p.Reset();
        }
    }
}

/// <summary>One exit reason's figures (perf kvm stat's columns).</summary>
internal sealed class ExitStat
{
    public long Count;
    public long TotalNs;
    public long MinNs;
    public long MaxNs;
}

/// <summary>Per-vCPU counts and times.</summary>
internal sealed class VcpuCounters
{
    // What the vCPU's taking an interrupt writes comes first, in one cache line: another vCPU's IPI makes it take
    // one, when little else of this vCPU is in the cache (issue 19). The runtime keeps fields of one size in order.
    public long IpisReceived;
    public long InterruptsAccepted;
    public long LatencyCount;
    public long LatencySumNs;
    public long LatencyMaxNs;
    public long Wakeups;
    public long IpisSent;
    public long VmExits;
    public long IncompleteIpiExits;
    public long HltExits;
    public long UserspaceExits;
    public long GuestNs;
    public long HostNs;
    public long UserspaceNs;
    public long StolenNs;
    public long RunQueueWaitNs;
    public long ContextSwitches;
    public long HaltPollsAttempted;
    public long HaltPollsSuccessful;
    public long HaltPollNs;

    public void Reset()
    {
        IpisSent = IpisReceived = InterruptsAccepted = VmExits = IncompleteIpiExits = HltExits = UserspaceExits = Wakeups = 0;
        LatencyCount = LatencySumNs = LatencyMaxNs = GuestNs = HostNs = UserspaceNs = StolenNs = RunQueueWaitNs = ContextSwitches = 0;
        HaltPollsAttempted = HaltPollsSuccessful = HaltPollNs = 0;
    }
}

/// <summary>Per-pCPU counts and times.</summary>
internal sealed class PcpuCounters
{
    public long GuestNs;
    public long HostNs;
    public long HostTaskNs;
    public long IdleNs;
    public long DoorbellsReceived;
    public long SpuriousDoorbells;
    public long ContextSwitches;

    public long BusyNs => GuestNs + HostNs + HostTaskNs;

    public void Reset()
    {
        GuestNs = HostNs = HostTaskNs = IdleNs = DoorbellsReceived = SpuriousDoorbells = ContextSwitches = 0;
    }
}
