using System.Globalization;
using System.Text;
using Emu.Core.Contracts;
using Emu.Core.Engine;
using Emu.Core.Model;

namespace Emu.Core.Machine;

/// <summary>
/// Watches the run after every event: keeps the recent-event history a report shows, detects lost wake-ups
/// (always), checks the invariants (in check mode), and stops the run with a failure. The engine calls it
/// through its own slot, which nothing outside Core can take over.
/// </summary>
internal sealed class RunMonitor : IEventObserver
{
    private const int HistoryLength = 32;

    /// <summary>Lost wake-ups kept with their detail in the result (all are counted).</summary>
    private const int MaxRecords = 100;

    private readonly MachineState _m;
    private readonly SimEvent[] _history = new SimEvent[HistoryLength];
    private readonly List<Action> _invariants = new();
    private long _historyCount;

    // The lost-wake-up watch. A blocked vCPU that got an IRR bit is checked after the event (fresh); one whose waker
    // is a peer's ICR-write exit still to be handled waits (awaiting) and is checked again only after an exit handler
    // ran (or it is noted again), since nothing else can end that wait; rescanning them after every event made the
    // 4,096-vCPU strict run spend 79 % of its time here (issue 19). Each vCPU is in at most one list.
    private readonly int[] _fresh;
    private readonly int[] _awaiting;
    private readonly bool[] _watched;
    private int _freshCount;
    private int _awaitingCount;
    private long _awaitingChanges;
    private long _awaitingCheckedAt;

    // Per VM, the vCPUs whose ICR-write exit awaits KVM's handler (at most one each), so the watch asks only those.
    private readonly int[][] _pendingSenders;
    private readonly int[] _pendingSenderCount;
    private readonly int[] _pendingSlot;

    // Per vCPU, the pending sender that named it when last asked, or -1.
    private readonly int[] _namingSender;

    // A vCPU kept awaiting was blocked with an IRR bit, nothing waking it, and named by a pending sender. Only a
    // change that can end its wait (a wake-up or a GA-log entry on its way, or leaving Blocked: Stir) or a handler run
    // in its VM (which drops a sender; senders only add names otherwise) can change that answer. Its IRR cannot empty
    // nor can it start to wait for SIPI while blocked: both happen at VMRUN or HLT. While neither count moved since it
    // was kept, it is kept again without reading its state. The answers, and so the reports and their order, are
    // those of asking every time (RunMonitorShortcutTests runs the two in lockstep).
    private readonly int[] _stirs;
    private readonly int[] _stirsSeen;
    private readonly long[] _handlersRun;
    private readonly long[] _handlersSeen;
    private readonly int[] _vmOf;

    public RunMonitor(MachineState m)
    {
        _m = m;
        int vcpus = m.Vcpus.Length;
        _fresh = new int[vcpus];
        _awaiting = new int[vcpus];
        _watched = new bool[vcpus];
        _pendingSlot = new int[vcpus];
        _namingSender = new int[vcpus];
        Array.Fill(_namingSender, -1);
        _stirs = new int[vcpus];
        _stirsSeen = new int[vcpus];
        _handlersSeen = new long[vcpus];
        _handlersRun = new long[m.Vms.Length];
        _vmOf = new int[vcpus];
        for (int i = 0; i < vcpus; i++)
        {
            _vmOf[i] = m.Vcpus[i].Info.Vm;
        }
        _pendingSenders = new int[m.Vms.Length][];
        _pendingSenderCount = new int[m.Vms.Length];
        for (int i = 0; i < m.Vms.Length; i++)
        {
            _pendingSenders[i] = new int[m.Vms[i].VcpuCount];
        }
    }

    /// <summary>Why the run stopped early, or null.</summary>
    public string? Failure { get; private set; }

    public List<LostWakeupRecord> LostWakeupRecords { get; } = new();

    /// <summary>The vCPU's ICR write exited; KVM's handler runs later (<see cref="IcrExitHandled"/>).</summary>
    public void IcrExitBegan(VcpuRuntime sender)
    {
        int vm = sender.Info.Vm;
        _pendingSlot[sender.Info.Id] = _pendingSenderCount[vm];
        _pendingSenders[vm][_pendingSenderCount[vm]++] = sender.Info.Id;
    }

    public void IcrExitHandled(VcpuRuntime sender)
    {
        int vm = sender.Info.Vm;
        int slot = _pendingSlot[sender.Info.Id];
        int last = _pendingSenders[vm][--_pendingSenderCount[vm]];
        _pendingSenders[vm][slot] = last;
        _pendingSlot[last] = slot;
        _handlersRun[vm]++;
        _awaitingChanges++; // a handler ran: the vCPUs awaiting one may have been woken, or not
    }

    /// <summary>Something that can end the vCPU's wait happened (see <see cref="_stirs"/>).</summary>
    public void Stir(VcpuRuntime v) => _stirs[v.Info.Id]++;

    /// <summary>
    /// Asks every awaiting vCPU again, in turn, as the original rule says; the shortcuts (<see cref="_stirs"/>, the
    /// last naming sender) off. For tests that compare the two.
    /// </summary>
    internal bool AskEveryTime { get; set; }

    /// <summary>The vCPUs awaiting an exit handler after the last event, in order: for tests that compare the two ways.</summary>
    internal ReadOnlySpan<int> Awaiting => _awaiting.AsSpan(0, _awaitingCount);

    /// <summary>Awaiting vCPUs kept without reading their state, for tests that make sure the shortcut is taken.</summary>
    internal long KeptUnchanged { get; private set; }

    public void AddInvariant(Action check) => _invariants.Add(check);

    /// <summary>An IRR bit was set on a blocked vCPU: after this event it must have a wake-up on its way.</summary>
    public void NoteBlockedWithIrr(VcpuRuntime v)
    {
        int id = v.Info.Id;
        if (!_watched[id])
        {
            _watched[id] = true;
            _fresh[_freshCount++] = id;
        }
        else
        {
            _awaitingChanges++; // awaiting already (it may have woken and blocked again since): look at it after this event
        }
    }

    public void AfterEvent(in SimEvent e)
    {
        _history[_historyCount++ % HistoryLength] = e;
        if (_freshCount > 0 || (_awaitingCount > 0 && _awaitingChanges != _awaitingCheckedAt))
        {
            CheckLostWakeups();
        }

        if (_m.CheckInvariants && Failure is null)
        {
            CheckCoreInvariants();
            if (Failure is null)
            {
                _m.Devices.CheckInvariants();
            }
            for (int i = 0; i < _invariants.Count && Failure is null; i++)
            {
                _invariants[i]();
            }
        }
    }

    private void CheckLostWakeups()
    {
        // The awaiting first (they were noted earlier), then the fresh: reports keep the order the vCPUs were noted in.
        int kept = 0;
        if (_awaitingChanges != _awaitingCheckedAt)
        {
            _awaitingCheckedAt = _awaitingChanges;
            for (int i = 0; i < _awaitingCount; i++)
            {
                int id = _awaiting[i];
                if (!AskEveryTime && _stirsSeen[id] == _stirs[id] && _handlersSeen[id] == _handlersRun[_vmOf[id]])
                {
                    _awaiting[kept++] = id; // nothing that could change the answer happened since it was kept
                    KeptUnchanged++;
                    continue;
                }

                Check(id, ref kept);
            }
        }
        else
        {
            kept = _awaitingCount;
        }

        for (int i = 0; i < _freshCount; i++)
        {
            Check(_fresh[i], ref kept);
        }

        _freshCount = 0;
        _awaitingCount = kept;
    }

    /// <summary>Drops the vCPU from the watch if it is awake or being woken, keeps it if a handler may still wake it, else reports.</summary>
    private void Check(int id, ref int kept)
    {
        var v = _m.Vcpus[id];
        if (v.State != VcpuState.Blocked || v.WakePending || v.Irr.IsEmpty || v.WaitForSipi || v.GaLogWakeups > 0)
        {
            _watched[id] = false;
            return;
        }

        if (AwaitsExitHandler(v))
        {
            _awaiting[kept++] = id; // its sender's exit handler, still to run, will wake it
            _stirsSeen[id] = _stirs[id];
            _handlersSeen[id] = _handlersRun[v.Info.Vm];
            return;
        }

        _watched[id] = false;
        ReportLostWakeup(id, $"IRR vector 0x{v.Irr.Highest():X2} set while blocked and nothing woke it");
    }

    /// <summary>
    /// Does a peer's ICR-write exit, whose KVM handler has not run yet, name this vCPU? The sender found last time is
    /// asked first: an awaiting vCPU is re-checked after every handler anywhere, and at 4,096 vCPUs scanning its VM's
    /// senders each time was a third of the run's instructions (issue 19). Any naming sender gives the same answer.
    /// </summary>
    private bool AwaitsExitHandler(VcpuRuntime v)
    {
        int last = _namingSender[v.Info.Id];
        if (last >= 0 && !AskEveryTime && Names(_m.Vcpus[last], v))
        {
            return true;
        }

        int vm = v.Info.Vm;
        int[] senders = _pendingSenders[vm];
        for (int i = 0; i < _pendingSenderCount[vm]; i++)
        {
            var sender = _m.Vcpus[senders[i]];
            if (Names(sender, v))
            {
                _namingSender[v.Info.Id] = sender.Info.Id;
                return true;
            }
        }

        return false;
    }

    /// <summary>The sender's ICR write awaits its handler and names the vCPU.</summary>
    private static bool Names(VcpuRuntime sender, VcpuRuntime v) =>
        sender.IcrExitPending && ApicDestination.Matches(in v.Info, new Icr(sender.PendingIcrExit.ExitInfo1), sender.Info.ApicId);

    public void ReportLostWakeup(int vcpu, string detail)
    {
        _m.Counters.LostWakeups++;
        TraceInstant(Math.Max(0, _m.Vcpus[vcpu].Cpu), TraceKind.LostWakeup, vcpu, 0);
        string state = _m.InterruptVirtualization is IVcpuStateDescriber d ? d.Describe(vcpu) : "";
        string full = state.Length == 0 ? detail : $"{detail}; {state}";
        if (LostWakeupRecords.Count < MaxRecords)
        {
            LostWakeupRecords.Add(new LostWakeupRecord(vcpu, _m.Now, full));
        }

        if (_m.CheckInvariants)
        {
            ReportViolation($"lost wake-up of vCPU {vcpu}: {full}");
        }
    }

    public void ReportViolation(string message) => Fail($"invariant violated at {_m.Now} ns: {message}");

    /// <summary>Stops the run with a report that ends with the recent events.</summary>
    public void Fail(string message)
    {
        if (Failure is not null)
        {
            return;
        }

        var sb = new StringBuilder(message);
        sb.AppendLine();
        sb.AppendLine("last events (time ns, kind, subject):");
        long first = Math.Max(0, _historyCount - HistoryLength);
        for (long i = first; i < _historyCount; i++)
        {
            var e = _history[i % HistoryLength];
            sb.Append(CultureInfo.InvariantCulture, $"  {e.Time,14} {_m.Engine.KindName(e.Kind),-18} {e.Subject}").AppendLine();
        }

        Failure = sb.ToString();
        _m.Engine.Stop();
    }

    /// <summary>Core's invariants: one pCPU per task, state matches placement, loaded exactly when KVM says.</summary>
    private void CheckCoreInvariants()
    {
        foreach (var cpu in _m.Cpus)
        {
            if (cpu.Current >= 0 && _m.Tasks[cpu.Current].Cpu != cpu.Id)
            {
                ReportViolation($"pCPU {cpu.Id} runs task {cpu.Current}, which believes it is on pCPU {_m.Tasks[cpu.Current].Cpu}");
                return;
            }
        }

        foreach (var v in _m.Vcpus)
        {
            var t = _m.Tasks[v.Info.Task];
            bool onCpu = t.Cpu >= 0 && _m.Cpus[t.Cpu].Current == t.Id;
            bool shouldRun = v.State is VcpuState.InGuest or VcpuState.InHostKernel or VcpuState.InUserspace;
            if (shouldRun != onCpu)
            {
                ReportViolation($"vCPU {v.Info.Id} is {v.State} but its thread {(onCpu ? "runs" : "does not run")}");
                return;
            }

            if (shouldRun && v.Loaded != (v.State != VcpuState.InUserspace))
            {
                ReportViolation($"vCPU {v.Info.Id} is {v.State} with loaded = {v.Loaded}");
                return;
            }

            if (v.IcrExitPending && v.State == VcpuState.InGuest)
            {
                ReportViolation($"vCPU {v.Info.Id} re-entered the guest before KVM's handler of its ICR-write exit ran");
                return;
            }
        }
    }

    public void TraceInstant(int pcpu, TraceKind kind, int vcpu, long argument)
    {
        var sinks = _m.TraceSinks;
        for (int i = 0; i < sinks.Length; i++)
        {
            sinks[i].Instant(_m.Now, pcpu, kind, vcpu, argument);
        }
    }

    public void TraceCounter(string name, int id, long value)
    {
        var sinks = _m.TraceSinks;
        for (int i = 0; i < sinks.Length; i++)
        {
            sinks[i].Counter(_m.Now, name, id, value);
        }
    }

    public void TraceStopped(int pcpu, int task, bool runnable)
    {
        var sinks = _m.TraceSinks;
        for (int i = 0; i < sinks.Length; i++)
        {
            sinks[i].TaskStopped(_m.Now, pcpu, task, runnable);
        }
    }

    public void TraceWoken(int task, int targetCpu)
    {
        var sinks = _m.TraceSinks;
        for (int i = 0; i < sinks.Length; i++)
        {
            sinks[i].TaskWoken(_m.Now, task, targetCpu);
        }
    }

    public void TraceSwitch(int pcpu, int task)
    {
        var sinks = _m.TraceSinks;
        for (int i = 0; i < sinks.Length; i++)
        {
            sinks[i].TaskSwitched(_m.Now, pcpu, task);
        }
    }
}

/// <summary>A lost wake-up as reported: the vCPU, when, and what the interrupt virtualization knew.</summary>
public sealed record LostWakeupRecord(int Vcpu, long TimeNs, string Detail);
