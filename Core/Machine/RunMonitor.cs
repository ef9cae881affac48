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
    private readonly int[] _blockedWithIrr = new int[64];
    private readonly List<Action> _invariants = new();
    private long _historyCount;
    private int _blockedWithIrrCount;

    public RunMonitor(MachineState m)
    {
        _m = m;
    }

    /// <summary>Why the run stopped early, or null.</summary>
    public string? Failure { get; private set; }

    public List<LostWakeupRecord> LostWakeupRecords { get; } = new();

    /// <summary>ICR-write exits whose KVM handler has not run yet (a blocked target may await one).</summary>
    public int PendingIcrExits { get; set; }

    public void AddInvariant(Action check) => _invariants.Add(check);

    /// <summary>An IRR bit was set on a blocked vCPU: after this event it must have a wake-up on its way.</summary>
    public void NoteBlockedWithIrr(VcpuRuntime v)
    {
        if (_blockedWithIrrCount == _blockedWithIrr.Length)
        {
            CheckLostWakeups(); // the list is full: check what it holds now, then keep noting
        }

        _blockedWithIrr[_blockedWithIrrCount++] = v.Info.Id;
    }

    public void AfterEvent(in SimEvent e)
    {
        _history[_historyCount++ % HistoryLength] = e;
        if (_blockedWithIrrCount > 0)
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
        int kept = 0;
        for (int i = 0; i < _blockedWithIrrCount; i++)
        {
            var v = _m.Vcpus[_blockedWithIrr[i]];
            if (v.State != VcpuState.Blocked || v.WakePending || v.Irr.IsEmpty || v.WaitForSipi || v.GaLogWakeups > 0)
            {
                continue;
            }

            if (PendingIcrExits > 0 && AwaitsExitHandler(v))
            {
                _blockedWithIrr[kept++] = v.Info.Id; // its sender's exit handler, still to run, will wake it
                continue;
            }

            ReportLostWakeup(v.Info.Id, $"IRR vector 0x{v.Irr.Highest():X2} set while blocked and nothing woke it");
        }

        _blockedWithIrrCount = kept;
    }

    /// <summary>Does a peer's ICR-write exit, whose KVM handler has not run yet, name this vCPU?</summary>
    private bool AwaitsExitHandler(VcpuRuntime v)
    {
        var vm = _m.Vms[v.Info.Vm];
        for (int i = 0; i < vm.VcpuCount; i++)
        {
            var sender = _m.Vcpus[vm.VcpuId(i)];
            if (sender.IcrExitPending && ApicDestination.Matches(in v.Info, new Icr(sender.PendingIcrExit.ExitInfo1), sender.Info.ApicId))
            {
                return true;
            }
        }

        return false;
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
