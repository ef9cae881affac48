using Emu.Core.Contracts;
using Emu.Core.Model;
using Emu.Core.Workloads;

namespace Emu.Host.Traces;

/// <summary>
/// One vCPU thread of the recording and what it did, turned into replay actions as the lines come: the guest time
/// (kvm_entry to the next kvm_exit) summed between actions becomes a compute burst; an ICR write (kvm_apic_ipi, or
/// kvm_avic_incomplete_ipi's ICR halves) an ICR write; an HLT exit a halt whose timeout is the guest's LAPIC timer
/// when the recording shows it firing in the halt, else later than the halt's recorded end; an exit that returned
/// to the VMM (kvm_userspace_exit) a userspace exit, and an I/O exit, or an NPF exit with kvm_mmio, an MMIO exit,
/// each as long out of guest mode as recorded (kvm_exit to the next kvm_entry). Other exits add nothing: their host
/// time is not guest time, and Emu models preemption, the tick and kicks itself.
/// </summary>
internal sealed class VcpuThread
{
    private readonly ReplayActionsFileWriter _writer;
    private readonly NameCounts _ignoredExits;
    private readonly long _traceStart;
    private readonly int _apicAccess;
    private readonly SortedSet<int> _cpus = new();
    private int _stream = -1;
    private int _lastCpu = -1;
    private bool _started;
    private bool _inGuest;
    private long _entryNs;
    private long _guestNs;

    // The exit under way (between a kvm_exit and the next kvm_entry).
    private readonly RecordedExit _exit = new();
    private bool _inExit;

    // The thread's last wake-up (sched_wakeup) before its first kvm_entry, or -1.
    private long _wokenNs = -1;

    public VcpuThread(int pid, int tgid, string comm, ReplayActionsFileWriter writer, NameCounts ignoredExits, long traceStart)
    {
        Pid = pid;
        Tgid = tgid;
        Comm = comm;
        CommVcpuId = VcpuIdOfComm(comm);
        _writer = writer;
        _ignoredExits = ignoredExits;
        _traceStart = traceStart;
        _apicAccess = ignoredExits.IdOf(ApicAccessName);
    }

    /// <summary>How the summary counts exits that accessed a local APIC register other than the ICR.</summary>
    public static ReadOnlySpan<byte> ApicAccessName => "APIC register access"u8;

    public int Pid { get; }

    /// <summary>The process, when the trace shows it (ftrace's record-tgid, perf script's pid/tid); else -1.</summary>
    public int Tgid { get; set; }

    public string Comm { get; }

    /// <summary>The vCPU id from kvm_entry / kvm_exit (-1 until one names it).</summary>
    public int EventVcpuId { get; private set; } = -1;

    /// <summary>The vCPU id from QEMU's thread name "CPU N/KVM" (-1 when the name is another).</summary>
    public int CommVcpuId { get; }

    /// <summary>The vCPU id KVM printed, else the one the thread's name gives.</summary>
    public int VcpuId => EventVcpuId >= 0 ? EventVcpuId : CommVcpuId;

    /// <summary>The writer's stream of this thread's actions, or -1 when it had none.</summary>
    public int Stream => _stream;

    /// <summary>The pCPUs the thread's KVM events came from, ascending.</summary>
    public IReadOnlyCollection<int> Cpus => _cpus;

    public long IcrWrites { get; private set; }

    public long Halts { get; private set; }

    public long UserspaceExits { get; private set; }

    public long MmioExits { get; private set; }

    /// <summary>The pCPU of the thread's last KVM event (-1 before the first).</summary>
    public int LastCpu => _lastCpu;

    /// <summary>Between an HLT exit and the next kvm_entry.</summary>
    public bool InHalt => _inExit && _exit.IsHalt;

    /// <summary>Whether the importer has filed the thread under its vCPU id.</summary>
    public bool Indexed { get; set; }

    public void OnCpu(int cpu)
    {
        if (cpu != _lastCpu)
        {
            _lastCpu = cpu;
            _cpus.Add(cpu);
        }
    }

    public void OnEntry(long t, int vcpu)
    {
        EventVcpuId = vcpu;
        if (!_started)
        {
            // The vCPU was out of guest mode when the recording began: taken as halted until its thread woke
            // (sched_wakeup), else until it entered. Emu starts every vCPU thread runnable at 0, as a thread woken at
            // the recording's start is: that one replays no halt.
            _started = true;
            long asleepUntil = _wokenNs >= _traceStart && _wokenNs <= t ? _wokenNs : t;
            if (asleepUntil > _traceStart)
            {
                Append(GuestAction.Halt(asleepUntil - _traceStart));
            }
        }
        else if (_inExit)
        {
            FinishExit(t);
        }
        else if (_inGuest)
        {
            _guestNs += t - _entryNs; // an exit the trace lost (a fast-path re-entry): the time stays guest time
        }

        _inGuest = true;
        _entryNs = t;
    }

    public void OnExit(long t, int vcpu, ExitClass exitClass, int reason)
    {
        if (vcpu >= 0)
        {
            EventVcpuId = vcpu;
        }

        if (_inGuest)
        {
            _guestNs += t - _entryNs;
        }
        else if (!_started)
        {
            _guestNs += t - _traceStart; // in guest mode since the recording began
        }

        _started = true;
        _inGuest = false;
        _inExit = true;
        _exit.Start(t, exitClass, reason);
    }

    /// <summary>
    /// An ICR write. Under AVIC, KVM may log one write twice: kvm_avic_incomplete_ipi, then kvm_apic_ipi when it
    /// emulates the write; the second of one exit is the same write.
    /// </summary>
    public void OnIcrWrite(long t, Icr icr, bool incompleteIpi)
    {
        if (_inExit && _exit.IncompleteIpi && !incompleteIpi)
        {
            return;
        }

        if (_inGuest)
        {
            _guestNs += t - _entryNs; // the exit was lost; the write happened now
            _entryNs = t;
        }

        _started = true;
        FlushCompute();
        Append(GuestAction.SendIpi(icr));
        IcrWrites++;
        if (_inExit)
        {
            _exit.IcrWrites++;
            _exit.IncompleteIpi |= incompleteIpi;
        }
    }

    public void OnMmio() => _exit.Mmio = true;

    /// <summary>kvm_apic: the exit reads or writes a local APIC register (through MMIO or x2APIC's MSRs).</summary>
    public void OnApicAccess() => _exit.ApicAccess = true;

    public void OnUserspaceExit(long t)
    {
        if (_inGuest)
        {
            return; // KVM_RUN returns only from the host side; a lost kvm_exit leaves nothing to replay here
        }

        if (!_inExit)
        {
            _exit.Start(t, ExitClass.Other, -1); // the recording began in the exit: it is out of guest mode from here
        }

        _started = true;
        _inExit = true;
        _exit.UserspaceNs = t;
    }

    /// <summary>sched_switch away from the thread: in an exit, the thread was preempted (or slept) before re-entering.</summary>
    public void OnSwitchedOut(long t)
    {
        if (_inExit)
        {
            _exit.OnSwitchedOut(t);
        }
    }

    /// <summary>sched_switch to the thread.</summary>
    public void OnSwitchedIn(long t)
    {
        if (_inExit)
        {
            _exit.OnSwitchedIn(t);
        }
    }

    /// <summary>sched_wakeup of the thread: before its first kvm_entry, when it stopped being asleep.</summary>
    public void OnWakeup(long t)
    {
        if (!_started)
        {
            _wokenNs = t;
        }
    }

    /// <summary>
    /// KVM delivered the guest's LAPIC timer interrupt (kvm_apic_local_deliver -> __apic_accept_irq): in a halt, the
    /// guest's own deadline, which the replay arms again.
    /// </summary>
    public void OnTimerInterrupt(long t)
    {
        if (InHalt && _exit.TimerNs < 0)
        {
            _exit.TimerNs = t;
        }
    }

    /// <summary>
    /// The recording's end. What is under way then (guest time, a halt, an exit) has no recorded end: it replays
    /// as lasting to <paramref name="openEnd"/>, past the replay's end, so that the replay does not end it early
    /// and add a halt or an exit the recording does not have.
    /// </summary>
    public void Finish(long openEnd)
    {
        if (_inGuest)
        {
            _guestNs += openEnd - _entryNs;
            _inGuest = false;
        }
        else if (_inExit && !FinishExit(openEnd, open: true))
        {
            if (_exit.Class == ExitClass.ExternalInterrupt)
            {
                _guestNs += openEnd - _exit.StartNs; // preempted: Emu preempts the replay itself, and the guest runs on after it
            }
            else
            {
                // An exit the replay has no action for (an NPF whose kvm_mmio or kvm_apic_ipi KVM had not logged yet):
                // the vCPU stays out of guest mode past the end, as in an exit handled in the kernel.
                FlushCompute();
                Append(GuestAction.Mmio(openEnd - _exit.StartNs));
            }
        }

        FlushCompute();
    }

    /// <summary>QEMU names a vCPU thread "CPU N/KVM".</summary>
    public static int VcpuIdOfComm(ReadOnlySpan<char> comm)
    {
        if (!comm.StartsWith("CPU ", StringComparison.Ordinal) || !comm.EndsWith("/KVM", StringComparison.Ordinal))
        {
            return -1;
        }

        var digits = comm[4..^4];
        return digits.Length is > 0 and <= 3 && int.TryParse(digits, System.Globalization.NumberStyles.None, System.Globalization.CultureInfo.InvariantCulture, out int id) ? id : -1;
    }

    /// <summary>
    /// The kvm_entry after an exit (at <paramref name="t"/>), or the recording's end in one (<paramref name="open"/>):
    /// what the exit was decides what it replays as. A userspace or MMIO exit lasts as long out of guest mode as
    /// recorded, kvm_exit to kvm_entry, less the time its thread was switched out (the replay leaves Emu's own exit
    /// costs out of it, and Emu's scheduler preempts it again). False for an exit that replays as nothing.
    /// </summary>
    private bool FinishExit(long t, bool open = false)
    {
        _inExit = false;
        if (_exit.UserspaceNs >= 0)
        {
            FlushCompute();
            Append(GuestAction.Userspace(_exit.OnCpuNs(t)));
            UserspaceExits++;
        }
        else if (_exit.IcrWrites > 0)
        {
            // Replayed at the write; Emu charges the exit its own way.
        }
        else if (_exit.Class == ExitClass.Halt)
        {
            // The guest's timer ends the halt when the recording shows it firing there. Otherwise something else (an
            // IPI, a device) ended it, and the guest's deadline is only known to be later: the timer is armed 1 ns
            // after the recorded re-entry, which drops it (Emu ends a halt's timer at VMRUN) when the wake-up comes as
            // recorded, and ends the halt as on the host when it does not.
            FlushCompute();
            Append(GuestAction.Halt(_exit.TimerNs >= 0 ? Math.Max(1, _exit.TimerNs - _exit.StartNs) : t - _exit.StartNs + 1));
            Halts++;
        }
        else if (_exit.ApicAccess)
        {
            // A local APIC register other than the ICR (ICR2, EOI, TPR, the timer's): Emu models the LAPIC itself,
            // and under AVIC most such accesses do not exit at all.
            if (!open)
            {
                _ignoredExits.Count(_apicAccess);
            }

            return false;
        }
        else if (_exit.Class == ExitClass.Io || (_exit.Class == ExitClass.NestedPageFault && _exit.Mmio))
        {
            FlushCompute();
            Append(GuestAction.Mmio(_exit.OnCpuNs(t)));
            MmioExits++;
        }
        else
        {
            if (_exit.Reason >= 0 && !open)
            {
                _ignoredExits.Count(_exit.Reason);
            }

            return false;
        }

        return true;
    }

    private void FlushCompute()
    {
        if (_guestNs > 0)
        {
            Append(GuestAction.Compute(_guestNs));
            _guestNs = 0;
        }
    }

    private void Append(GuestAction action)
    {
        if (_stream < 0)
        {
            _stream = _writer.AddStream();
        }

        _writer.Append(_stream, action);
    }
}
