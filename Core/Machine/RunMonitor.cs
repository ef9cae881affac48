using System.Globalization;
using System.Runtime.CompilerServices;
using System.Text;
using Emu.Core.Contracts;
using Emu.Core.Engine;
using Emu.Core.Model;

namespace Emu.Core.Machine;

/// <summary>
/// Watches the run after every event: keeps the recent-event history a report shows, detects lost wake-ups
/// (always, through <see cref="LostWakeupWatch"/>), checks the invariants (in check mode), and stops the run with a
/// failure. The engine calls it through its own slot, which nothing outside Core can take over.
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

    public RunMonitor(MachineState m)
    {
        _m = m;
        Wakeups = new LostWakeupWatch(m);
    }

    /// <summary>The lost-wake-up watch (always on).</summary>
    public LostWakeupWatch Wakeups { get; }

    /// <summary>Why the run stopped early, or null.</summary>
    public string? Failure { get; private set; }

    public List<LostWakeupRecord> LostWakeupRecords { get; } = new();

    public void AddInvariant(Action check) => _invariants.Add(check);

    void IEventObserver.AfterEvent(in SimEvent e)
    {
        _history[(int)_historyCount & (HistoryLength - 1)] = e; // the count's low bits: no signed 64-bit remainder per event
        _historyCount++;
        if (Wakeups.Due)
        {
            Wakeups.Check();
        }

        if (_m.CheckInvariants)
        {
            CheckInvariants();
        }
    }

    /// <summary>Check mode: Core's invariants, the devices', then each plugin's, until one fails.</summary>
    private void CheckInvariants()
    {
        if (Failure is not null)
        {
            return;
        }

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

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public void TraceInstant(int pcpu, TraceKind kind, int vcpu, long argument)
    {
        if (_m.TraceSinks.Length != 0)
        {
            TraceInstantToSinks(pcpu, kind, vcpu, argument);
        }
    }

    private void TraceInstantToSinks(int pcpu, TraceKind kind, int vcpu, long argument)
    {
        var sinks = _m.TraceSinks;
        for (int i = 0; i < sinks.Length; i++)
        {
            sinks[i].Instant(_m.Now, pcpu, kind, vcpu, argument);
        }
    }

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public void TraceCounter(string name, int id, long value)
    {
        if (_m.TraceSinks.Length != 0)
        {
            TraceCounterToSinks(name, id, value);
        }
    }

    private void TraceCounterToSinks(string name, int id, long value)
    {
        var sinks = _m.TraceSinks;
        for (int i = 0; i < sinks.Length; i++)
        {
            sinks[i].Counter(_m.Now, name, id, value);
        }
    }

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public void TraceStopped(int pcpu, int task, bool runnable)
    {
        if (_m.TraceSinks.Length != 0)
        {
            TraceStoppedToSinks(pcpu, task, runnable);
        }
    }

    private void TraceStoppedToSinks(int pcpu, int task, bool runnable)
    {
        var sinks = _m.TraceSinks;
        for (int i = 0; i < sinks.Length; i++)
        {
            sinks[i].TaskStopped(_m.Now, pcpu, task, runnable);
        }
    }

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public void TraceWoken(int task, int targetCpu)
    {
        if (_m.TraceSinks.Length != 0)
        {
            TraceWokenToSinks(task, targetCpu);
        }
    }

    private void TraceWokenToSinks(int task, int targetCpu)
    {
        var sinks = _m.TraceSinks;
        for (int i = 0; i < sinks.Length; i++)
        {
            sinks[i].TaskWoken(_m.Now, task, targetCpu);
        }
    }

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public void TraceSwitch(int pcpu, int task)
    {
        if (_m.TraceSinks.Length != 0)
        {
            TraceSwitchToSinks(pcpu, task);
        }
    }

    private void TraceSwitchToSinks(int pcpu, int task)
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
