using System.Text;
using Emu.Core.Contracts;
using Emu.Core.Model;

namespace Emu.Host.Output.KvmTrace;

/// <summary>
/// The run as `trace-cmd report` prints a recording of `trace-cmd record -e kvm -e sched:sched_switch -e
/// sched:sched_wakeup` on a KVM host (docs/traces.md): a <c>cpus=N</c> line, then one line per tracepoint hit, in time
/// order. Each line's context is the task that runs on that CPU as the trace's own sched_switch lines say. Streamed
/// into a temporary file beside the target and renamed by <see cref="Complete"/>; after <c>limit</c> lines it stops
/// writing. Which Emu event becomes which tracepoint is in <see cref="Tracepoints"/> and the handlers below.
/// </summary>
internal sealed class KvmTraceSink : ITraceSink, IDisposable
{
    private static readonly UTF8Encoding Utf8 = new(encoderShouldEmitUTF8Identifier: false);

    private readonly PendingFile _file;
    private readonly StreamWriter _writer;
    private readonly long _limit;
    private readonly TraceCmdLine _line;
    private TraceThreads _threads = null!;
    private IMachineView _machine = null!;

    /// <summary>Per pCPU: the task that runs there as the trace has it (-1: idle), and how it left, if it did.</summary>
    private int[] _current = Array.Empty<int>();
    private Leaving[] _leaving = Array.Empty<Leaving>();

    /// <summary>Per vCPU: in guest mode (between kvm_entry and kvm_exit), its state, its last exit's reason and ICR write.</summary>
    private bool[] _inGuest = Array.Empty<bool>();
    private VcpuState[] _state = Array.Empty<VcpuState>();
    private ExitReason[] _lastExit = Array.Empty<ExitReason>();
    private ulong[] _lastIcr = Array.Empty<ulong>();

    /// <param name="path">The file to write.</param>
    /// <param name="limit">The most lines to write.</param>
    /// <param name="nanoseconds">Timestamps to the nanosecond (trace-cmd report -t), not rounded to the microsecond.</param>
    public KvmTraceSink(string path, long limit, bool nanoseconds = false)
    {
        _limit = limit;
        _line = new TraceCmdLine(nanoseconds);
        _file = new PendingFile(path);
        _writer = new StreamWriter(_file.Stream, Utf8, 1 << 16);
    }

    private enum Leaving : byte
    {
        /// <summary>Still there (or idle).</summary>
        No,

        /// <summary>Its slice ended: it stays runnable (sched_switch's "R+", preempted).</summary>
        Preempted,

        /// <summary>It sleeps (a blocked vCPU thread, a host task between its runs): "S".</summary>
        Sleeping,
    }

    public long LinesWritten { get; private set; }

    public bool Truncated { get; private set; }

    public void Begin(IMachineView machine)
    {
        _machine = machine;
        _threads = new TraceThreads(machine);
        _current = new int[_threads.CpuCount];
        Array.Fill(_current, -1);
        _leaving = new Leaving[_threads.CpuCount];
        _inGuest = new bool[machine.VcpuCount];
        _state = new VcpuState[machine.VcpuCount];
        Array.Fill(_state, VcpuState.Preempted);
        _lastExit = new ExitReason[machine.VcpuCount];
        _lastIcr = new ulong[machine.VcpuCount];
        _writer.Write("cpus=");
        _writer.Write(_threads.CpuCount);
        _writer.Write('\n');
    }

    /// <summary>__schedule: sched_switch from what ran on the CPU to <paramref name="task"/>, printed in the outgoing task's context.</summary>
    public void TaskSwitched(long time, int pcpu, int task)
    {
        int prev = _current[pcpu];
        var leaving = _leaving[pcpu];
        _current[pcpu] = task;
        _leaving[pcpu] = Leaving.No;
        if (prev == task)
        {
            return; // idle stays idle (the policy found nothing again); no switch happened
        }

        if (Line(time, pcpu, "sched_switch", prev) is { } line)
        {
            string state = prev < 0 ? "R" : leaving == Leaving.Sleeping ? "S" : "R+";
            Tracepoints.SchedSwitch(line, _threads.SwitchComm(prev, pcpu), _threads.Pid(prev), TraceThreads.Priority, state,
                _threads.SwitchComm(task, pcpu), _threads.Pid(task), TraceThreads.Priority);
            End();
        }
    }

    public void TaskStopped(long time, int pcpu, int task, bool runnable) =>
        _leaving[pcpu] = runnable ? Leaving.Preempted : Leaving.Sleeping;

    /// <summary>ttwu: sched_wakeup, on the CPU the task was queued on (a remote wake-up completes there).</summary>
    public void TaskWoken(long time, int task, int targetCpu)
    {
        if (Line(time, targetCpu, "sched_wakeup") is { } line)
        {
            Tracepoints.SchedWakeup(line, _threads.Comm(task), _threads.Pid(task), TraceThreads.Priority, targetCpu);
            End();
        }
    }

    /// <summary>
    /// vcpu_enter_guest's kvm_entry at VMRUN (any state into guest mode), and KVM_RUN's return to the VMM
    /// (kvm_userspace_exit) when the vCPU leaves KVM for userspace — not when its thread resumes the VMM's work after a
    /// preemption.
    /// </summary>
    public void VcpuStateChanged(long time, int pcpu, int vcpu, VcpuState state)
    {
        var was = _state[vcpu];
        _state[vcpu] = state;
        if (state == VcpuState.InGuest && !_inGuest[vcpu])
        {
            _inGuest[vcpu] = true;
            if (Line(time, pcpu, "kvm_entry") is { } line)
            {
                Tracepoints.KvmEntry(line, VcpuId(vcpu));
                End();
            }
        }
        else if (state == VcpuState.InUserspace && was is VcpuState.InGuest or VcpuState.InHostKernel)
        {
            var (name, number) = SvmExitNames.UserspaceExit(_lastExit[vcpu]);
            if (Line(time, pcpu, "kvm_userspace_exit") is { } line)
            {
                Tracepoints.KvmUserspaceExit(line, name, number);
                End();
            }
        }
    }

    public void Instant(long time, int pcpu, TraceKind kind, int vcpu, long argument)
    {
        switch (kind)
        {
            case TraceKind.IcrWrite:
                _lastIcr[vcpu] = (ulong)argument;
                break;
            case TraceKind.VmExit:
                KvmExit(time, pcpu, vcpu, argument);
                break;
            case TraceKind.HaltEnded:
                if (Line(time, pcpu, "kvm_vcpu_wakeup") is { } wakeup)
                {
                    Tracepoints.KvmVcpuWakeup(wakeup, (argument & 1) != 0, argument >> 1);
                    End();
                }

                break;
            case TraceKind.ApicIpi:
                if (Line(time, pcpu, "kvm_apic_ipi") is { } ipi)
                {
                    Tracepoints.KvmApicIpi(ipi, (ulong)argument);
                    End();
                }

                break;
            case TraceKind.ApicAcceptIrq:
                if (Line(time, pcpu, "kvm_apic_accept_irq") is { } accept)
                {
                    Tracepoints.KvmApicAcceptIrq(accept, VcpuId(vcpu), (uint)argument);
                    End();
                }

                break;
            case TraceKind.AvicGaLog:
                if (Line(time, pcpu, "kvm_avic_ga_log") is { } gaLog)
                {
                    // KVM numbers AVIC VMs from 1 (avic_vm_init's next_vm_id); the GA tag's vCPU is its vcpu_id.
                    Tracepoints.KvmAvicGaLog(gaLog, _machine.Vcpu(vcpu).Vm + 1, VcpuId(vcpu));
                    End();
                }

                break;
        }
    }

    /// <summary>
    /// svm_handle_exit's kvm_exit, and for AVIC_INCOMPLETE_IPI avic_incomplete_ipi_interception's own tracepoint
    /// (EXITINFO1: the ICR the guest wrote; EXITINFO2: cause &lt;&lt; 32 | index, carried in the exit's argument).
    /// </summary>
    private void KvmExit(long time, int pcpu, int vcpu, long argument)
    {
        var reason = (ExitReason)(argument & 0xFF);
        _inGuest[vcpu] = false;
        _lastExit[vcpu] = reason;
        bool incompleteIpi = reason == ExitReason.AvicIncompleteIpi;
        ulong info1 = incompleteIpi ? _lastIcr[vcpu] : 0;
        ulong info2 = incompleteIpi ? (ulong)argument >> 8 : 0;
        int id = VcpuId(vcpu);
        if (Line(time, pcpu, "kvm_exit") is { } line)
        {
            Tracepoints.KvmExit(line, id, reason, info1, info2);
            End();
        }

        if (incompleteIpi && Line(time, pcpu, "kvm_avic_incomplete_ipi") is { } ipi)
        {
            Tracepoints.KvmAvicIncompleteIpi(ipi, id, info1, info2);
            End();
        }
    }

    /// <summary>Renames the finished text over the target.</summary>
    public void Complete()
    {
        _writer.Flush();
        _writer.Dispose();
        _file.Commit();
    }

    /// <summary>Closes the file; a trace never completed (the scenario did not validate, the run crashed) is deleted.</summary>
    public void Dispose()
    {
        _writer.Dispose();
        _file.Dispose();
    }

    /// <summary>KVM's vcpu_id: QEMU gives the vCPU its index in the VM.</summary>
    private int VcpuId(int vcpu) => _machine.Vcpu(vcpu).IndexInVm;

    /// <summary>
    /// Starts a line on <paramref name="pcpu"/> in the context of the task running there (or of <paramref name="task"/>,
    /// when given), or returns null once the limit is reached.
    /// </summary>
    private TraceCmdLine? Line(long time, int pcpu, string name, int? task = null)
    {
        if ((uint)pcpu >= (uint)_current.Length)
        {
            return null; // not on a CPU (a vCPU never run yet): no context to print it in
        }

        if (LinesWritten >= _limit)
        {
            Truncated = true;
            return null;
        }

        int context = task ?? _current[pcpu];
        return _line.Begin(_threads.Comm(context), _threads.Pid(context), pcpu, time, name);
    }

    private void End()
    {
        _line.WriteTo(_writer);
        LinesWritten++;
    }
}
