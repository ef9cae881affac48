using System.Globalization;
using System.Text;
using Emu.Core.Contracts;
using Emu.Core.Engine;
using Emu.Core.Model;

namespace Emu.Core.Machine;

/// <summary>
/// Lost wake-ups (always detected), the core invariants (checked after every event in check mode), the
/// recent-event history that a report shows, and failures that stop the run.
/// </summary>
internal sealed partial class Machine
{
    private const int HistoryLength = 32;
    private readonly SimEvent[] _history = new SimEvent[HistoryLength];
    private long _historyCount;
    private readonly int[] _blockedWithIrr = new int[64];
    private int _blockedWithIrrCount;
    private int _pendingIcrExits;

    /// <summary>An IRR bit was set on a blocked vCPU: after this event it must have a wake-up on its way.</summary>
    private void NoteBlockedWithIrr(VcpuRuntime v)
    {
        if (_blockedWithIrrCount < _blockedWithIrr.Length)
        {
            _blockedWithIrr[_blockedWithIrrCount++] = v.Info.Id;
        }
        else
        {
            CheckLostWakeups(); // the list is full: check what it holds now, then keep noting
            _blockedWithIrr[_blockedWithIrrCount++] = v.Info.Id;
        }
    }

    private void AfterEvent(SimEvent e)
    {
        _history[_historyCount++ % HistoryLength] = e;
        if (_blockedWithIrrCount > 0)
        {
            CheckLostWakeups();
        }

        if (CheckInvariants && Failure is null)
        {
            CheckCoreInvariants();
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
            var v = _vcpus[_blockedWithIrr[i]];
            if (v.State != VcpuState.Blocked || v.WakePending || v.Irr.IsEmpty)
            {
                continue;
            }

            if (_pendingIcrExits > 0 && AwaitsExitHandler(v))
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
        var vm = _vms[v.Info.Vm];
        for (int i = 0; i < vm.VcpuCount; i++)
        {
            var sender = _vcpus[vm.VcpuId(i)];
            if (sender.IcrExitPending && ApicDestination.Matches(in v.Info, new Icr(sender.PendingIcrExit.ExitInfo1), sender.Info.ApicId))
            {
                return true;
            }
        }

        return false;
    }

    public void ReportLostWakeup(int vcpu, string detail)
    {
        Counters.LostWakeups++;
        TraceInstant(Math.Max(0, _vcpus[vcpu].Cpu), TraceKind.LostWakeup, vcpu, 0);
        string state = _iv is IVcpuStateDescriber d ? d.Describe(vcpu) : "";
        string full = state.Length == 0 ? detail : $"{detail}; {state}";
        if (LostWakeupRecords.Count < 100)
        {
            LostWakeupRecords.Add(new LostWakeupRecord(vcpu, Now, full));
        }

        if (CheckInvariants)
        {
            ReportViolation($"lost wake-up of vCPU {vcpu}: {full}");
        }
    }

    public void ReportViolation(string message) => Fail($"invariant violated at {Now} ns: {message}");

    /// <summary>Stops the run with a report that ends with the recent events.</summary>
    internal void Fail(string message)
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
            sb.Append(CultureInfo.InvariantCulture, $"  {e.Time,14} {Engine.KindName(e.Kind),-18} {e.Subject}").AppendLine();
        }

        Failure = sb.ToString();
        Engine.Stop();
    }

    /// <summary>Core's invariants: one pCPU per task, state matches placement, a blocked vCPU has its wake-up.</summary>
    private void CheckCoreInvariants()
    {
        foreach (var cpu in _cpus)
        {
            if (cpu.Current >= 0 && _tasks[cpu.Current].Cpu != cpu.Id)
            {
                ReportViolation($"pCPU {cpu.Id} runs task {cpu.Current}, which believes it is on pCPU {_tasks[cpu.Current].Cpu}");
                return;
            }
        }

        foreach (var v in _vcpus)
        {
            var t = _tasks[v.Info.Task];
            bool onCpu = t.Cpu >= 0 && _cpus[t.Cpu].Current == t.Id;
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
        for (int i = 0; i < _traceSinks.Length; i++)
        {
            _traceSinks[i].Instant(Now, pcpu, kind, vcpu, argument);
        }
    }

    private void TraceSwitch(int pcpu, int task)
    {
        for (int i = 0; i < _traceSinks.Length; i++)
        {
            _traceSinks[i].TaskSwitched(Now, pcpu, task);
        }
    }
}
