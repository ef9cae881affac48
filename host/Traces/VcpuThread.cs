using Emu.Core.Contracts;
using Emu.Core.Model;
using Emu.Core.Workloads;

namespace Emu.Host.Traces;

/// <summary>
/// One vCPU thread of the recording and what it did, turned into replay actions as the lines come: the guest time
/// (kvm_entry to the next kvm_exit) summed between actions becomes a compute burst; an ICR write (kvm_apic_ipi, or
/// kvm_avic_incomplete_ipi's ICR halves) an ICR write; an HLT exit a halt as long as the recorded one (to the next
/// kvm_entry); a kvm_userspace_exit a userspace exit as long as the VMM took (to the next kvm_entry); an I/O exit, or
/// an NPF exit with kvm_mmio, an MMIO exit as long as the host took. Other exits add nothing: their host time is
/// not guest time, and Emu models preemption, the tick and kicks itself.
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
    private bool _inExit;
    private long _exitNs;
    private ExitClass _exitClass;
    private int _exitReason = -1;
    private bool _exitMmio;
    private bool _exitApicAccess;
    private bool _exitIncompleteIpi;
    private int _exitIcrWrites;
    private long _userspaceNs = -1;

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
            // The vCPU was out of guest mode when the recording began: taken as halted until it entered.
            _started = true;
            if (t > _traceStart)
            {
                Append(GuestAction.Halt(t - _traceStart));
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
        _exitNs = t;
        _exitClass = exitClass;
        _exitReason = reason;
        _exitMmio = false;
        _exitApicAccess = false;
        _exitIncompleteIpi = false;
        _exitIcrWrites = 0;
        _userspaceNs = -1;
    }

    /// <summary>
    /// An ICR write. Under AVIC, KVM may log one write twice: kvm_avic_incomplete_ipi, then kvm_apic_ipi when it
    /// emulates the write; the second of one exit is the same write.
    /// </summary>
    public void OnIcrWrite(long t, Icr icr, bool incompleteIpi)
    {
        if (_inExit && _exitIncompleteIpi && !incompleteIpi)
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
            _exitIcrWrites++;
            _exitIncompleteIpi |= incompleteIpi;
        }
    }

    public void OnMmio() => _exitMmio = true;

    /// <summary>kvm_apic: the exit reads or writes a local APIC register (through MMIO or x2APIC's MSRs).</summary>
    public void OnApicAccess() => _exitApicAccess = true;

    public void OnUserspaceExit(long t)
    {
        if (_inGuest)
        {
            return; // KVM_RUN returns only from the host side; a lost kvm_exit leaves nothing to replay here
        }

        _started = true;
        _inExit = true;
        _userspaceNs = t;
    }

    /// <summary>The recording's end: guest time under way becomes the last compute burst.</summary>
    public void Finish(long end)
    {
        if (_inGuest)
        {
            _guestNs += end - _entryNs;
            _inGuest = false;
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

    /// <summary>The kvm_entry after an exit: what the exit was decides what it replays as.</summary>
    private void FinishExit(long t)
    {
        _inExit = false;
        if (_userspaceNs >= 0)
        {
            FlushCompute();
            Append(GuestAction.Userspace(t - _userspaceNs));
            UserspaceExits++;
        }
        else if (_exitIcrWrites > 0)
        {
            // Replayed at the write; Emu charges the exit its own way.
        }
        else if (_exitClass == ExitClass.Halt)
        {
            FlushCompute();
            Append(GuestAction.Halt(Math.Max(1, t - _exitNs)));
            Halts++;
        }
        else if (_exitApicAccess)
        {
            // A local APIC register other than the ICR (ICR2, EOI, TPR, the timer's): Emu models the LAPIC itself,
            // and under AVIC most such accesses do not exit at all.
            _ignoredExits.Count(_apicAccess);
        }
        else if (_exitClass == ExitClass.Io || (_exitClass == ExitClass.NestedPageFault && _exitMmio))
        {
            FlushCompute();
            Append(GuestAction.Mmio(t - _exitNs));
            MmioExits++;
        }
        else if (_exitReason >= 0)
        {
            _ignoredExits.Count(_exitReason);
        }
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
