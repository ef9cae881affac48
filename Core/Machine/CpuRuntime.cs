namespace Emu.Core.Machine;

/// <summary>Where a pCPU's time goes, for per-pCPU results.</summary>
internal enum CpuMode : byte
{
    Idle,
    Guest,
    Host,
    HostTask,
}

/// <summary>A pCPU's mutable state during a run.</summary>
internal sealed class CpuRuntime
{
    public CpuRuntime(int id, int sliceTimer, int switchTimer, Results.PcpuCounters counters)
    {
        Id = id;
        SliceTimer = sliceTimer;
        SwitchTimer = switchTimer;
        Counters = counters;
    }

    public readonly int Id;
    public readonly int SliceTimer;
    public readonly int SwitchTimer;

    /// <summary>The pCPU's results (the same object as SimulationCounters.Pcpus[id]), allocated next to it.</summary>
    public readonly Results.PcpuCounters Counters;

    /// <summary>The running task, or -1 (idle or switching).</summary>
    public int Current = -1;

    /// <summary>The task being switched in, or -1.</summary>
    public int Incoming = -1;

    /// <summary>Tasks waiting on this pCPU's queue: with any, single_task_running() is false and KVM does not halt-poll.</summary>
    public int Queued;

    /// <summary>Time stolen from whatever runs here (doorbells taken in host mode), applied at its next phase end.</summary>
    public long Debt;

    /// <summary>Until when the last charged doorbell is being handled here; one arriving before is coalesced.</summary>
    public long DoorbellBusyUntil;

    public CpuMode Mode = CpuMode.Idle;
    public long ModeSince;
}
