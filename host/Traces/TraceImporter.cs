using System.Text;
using Emu.Core.Configuration;
using Emu.Core.Model;
using Emu.Core.Topology;
using Emu.Core.Workloads;

namespace Emu.Host.Traces;

/// <summary>
/// Reads a trace (<c>trace-cmd report</c> or <c>perf script</c> text) line by line, in one pass and in bounded
/// memory, and turns each vCPU thread's KVM events into replay actions (<see cref="VcpuThread"/>). Bad input is an
/// <see cref="EmuConfigurationException"/> naming the file and line and what was expected there.
/// </summary>
internal sealed class TraceImporter
{
    private static readonly string[] UsedNames =
        { "kvm_entry", "kvm_exit", "kvm_apic_ipi", "kvm_avic_incomplete_ipi", "kvm_userspace_exit", "kvm_mmio", "kvm_apic", "kvm_apic_accept_irq", "sched_switch", "sched_wakeup" };

    /// <summary>AVIC's 12-bit host physical APIC ID: the most pCPUs an Emu topology has.</summary>
    public const int MaxPcpus = HostTopology.MaxApicId + 1;

    private readonly string _file;
    private readonly ReplayActionsFileWriter _writer;
    private readonly HostTaskRecorder? _hostTasks;
    private readonly Dictionary<int, VcpuThread> _threads = new();
    private readonly TimerTargets _timerTargets = new();

    /// <summary>Each task's last sched_wakeup, until it shows up as a thread with KVM events.</summary>
    private readonly Dictionary<int, long> _wakeups = new();
    private readonly long[] _used = new long[UsedNames.Length];
    private readonly NameCounts _skipped = new();
    private readonly NameCounts _ignoredExits = new();
    private TraceFormat _format;
    private long _line;
    private long _firstNs = -1;
    private long _lastNs;
    private int _maxCpu = -1;
    private long _unreplayable;

    /// <param name="file">The trace's name as the user gave it, for messages.</param>
    /// <param name="writer">Where each vCPU thread's actions go.</param>
    /// <param name="hostTasks">Whether to record the host's other tasks from sched_switch.</param>
    public TraceImporter(string file, ReplayActionsFileWriter writer, bool hostTasks)
    {
        _file = file;
        _writer = writer;
        _hostTasks = hostTasks ? new HostTaskRecorder() : null;
    }

    public ImportedTrace Read(Stream trace)
    {
        var reader = new TraceLineReader(trace);
        TraceFormat? format = null;
        long events = 0, lost = 0;
        ReadOnlySpan<byte> line;
        while (TryReadLine(reader, out line))
        {
            _line = reader.LineNumber;
            if (format is null)
            {
                if (TraceLineParser.IsNoise(line) || TraceLineParser.IsLostEvents(line, out _))
                {
                    continue;
                }

                format = TraceLineParser.Detect(line)
                    ?? throw Error($"expected an event line, {TraceLineParser.TraceCmdShape} or {TraceLineParser.PerfShape}, found '{SpanText.Show(line)}'");
                _format = format.Value;
            }

            if (!TraceLineParser.TryParse(line, _format, out var e))
            {
                if (TraceLineParser.IsLostEvents(line, out long dropped))
                {
                    lost += dropped;
                    continue;
                }

                if (TraceLineParser.IsNoise(line))
                {
                    continue;
                }

                throw Error($"expected {TraceLineParser.Shape(_format)}, found '{SpanText.Show(line)}'");
            }

            events++;
            Check(e);
            Dispatch(e);
        }

        if (format is null)
        {
            throw new EmuConfigurationException($"{_file}: no event lines: expected the text of trace-cmd report or perf script");
        }

        long openEnd = ReplayScenario.OpenEndNs(_firstNs, _lastNs - _firstNs);
        foreach (var thread in _threads.Values)
        {
            thread.Finish(openEnd);
        }

        var vcpus = _threads.Values.Where(t => t.VcpuId >= 0 || t.Stream >= 0).OrderBy(t => t.Pid).ToList();
        if (vcpus.Count == 0)
        {
            throw new EmuConfigurationException(
                $"{_file}: no vCPU threads: no kvm_entry or kvm_exit events and no thread named 'CPU N/KVM' (record with -e kvm; see docs/traces.md)");
        }

        if (vcpus.FirstOrDefault(t => t.VcpuId < 0) is { } unnamed)
        {
            throw new EmuConfigurationException(
                $"{_file}: thread {unnamed.Pid} ('{unnamed.Comm}') has KVM events but no vCPU id: no kvm_entry names it and its name is not 'CPU N/KVM'");
        }

        return new ImportedTrace
        {
            Format = _format,
            Lines = reader.LineNumber,
            Events = events,
            FirstNs = _firstNs,
            LastNs = _lastNs,
            CpusSeen = _maxCpu + 1,
            LostEvents = lost,
            VcpuThreads = vcpus,
            Used = UsedNames.Select((n, i) => (n, _used[i])).Where(p => p.Item2 > 0).ToList(),
            Skipped = _skipped,
            IgnoredExits = _ignoredExits,
            UnreplayableIcrWrites = _unreplayable,
            HostTasks = _hostTasks?.Summarize(_lastNs, vcpus.Select(t => t.Pid).ToHashSet()),
        };
    }

    private bool TryReadLine(TraceLineReader reader, out ReadOnlySpan<byte> line)
    {
        try
        {
            return reader.TryReadLine(out line);
        }
        catch (InvalidDataException ex)
        {
            throw new EmuConfigurationException($"{_file}: {ex.Message}");
        }
    }

    /// <summary>The limits every event line must respect: a CPU a topology can have, time that never goes back.</summary>
    private void Check(in TraceLine e)
    {
        if (e.Cpu >= MaxPcpus)
        {
            throw Error($"CPU {e.Cpu}: beyond the {MaxPcpus:N0} pCPUs an Emu topology can have (AVIC's 12-bit host physical APIC ID)");
        }

        if (e.TimeNs < _lastNs)
        {
            throw Error($"time goes backwards: {SpanText.ShowTime(e.TimeNs)} after {SpanText.ShowTime(_lastNs)} on the line before; give the report in time order (one recording, not several joined)");
        }

        if (_firstNs < 0)
        {
            _firstNs = e.TimeNs;
        }

        _lastNs = e.TimeNs;
        _maxCpu = Math.Max(_maxCpu, e.Cpu);
    }

    private void Dispatch(in TraceLine e)
    {
        var name = e.EventName;
        if (name.SequenceEqual("kvm_exit"u8))
        {
            if (!KvmEventFields.TryExit(e.Fields, out int vcpu, out var reason))
            {
                throw FieldError(e, KvmEventFields.ExitShape);
            }

            var t = Thread(e);
            t.OnExit(e.TimeNs, vcpu, ExitClasses.Of(reason), _ignoredExits.IdOf(reason));
            _timerTargets.Add(t);
            Used(1);
        }
        else if (name.SequenceEqual("kvm_entry"u8))
        {
            if (!KvmEventFields.TryEntry(e.Fields, out int vcpu))
            {
                throw FieldError(e, KvmEventFields.EntryShape);
            }

            var t = Thread(e);
            t.OnEntry(e.TimeNs, vcpu);
            _timerTargets.Add(t);
            Used(0);
        }
        else if (name.SequenceEqual("kvm_apic_ipi"u8))
        {
            if (!KvmEventFields.TryApicIpi(e.Fields, out uint low, out ulong destination))
            {
                throw FieldError(e, KvmEventFields.ApicIpiShape);
            }

            IcrWrite(e, low, destination, incompleteIpi: false);
            Used(2);
        }
        else if (name.SequenceEqual("kvm_avic_incomplete_ipi"u8))
        {
            if (!KvmEventFields.TryIncompleteIpi(e.Fields, out uint high, out uint low))
            {
                throw FieldError(e, KvmEventFields.IncompleteIpiShape);
            }

            // xAPIC puts the destination in ICR high's bits 31:24 (its others are reserved); x2APIC uses all 32.
            ulong destination = (high & 0x00FF_FFFF) != 0 ? high : high >> 24;
            IcrWrite(e, low, destination, incompleteIpi: true);
            Used(3);
        }
        else if (name.SequenceEqual("kvm_userspace_exit"u8))
        {
            if (!KvmEventFields.TryUserspaceExit(e.Fields))
            {
                throw FieldError(e, "'reason <KVM_EXIT_...> (<n>)'");
            }

            Thread(e).OnUserspaceExit(e.TimeNs);
            Used(4);
        }
        else if (name.SequenceEqual("kvm_mmio"u8))
        {
            Thread(e).OnMmio();
            Used(5);
        }
        else if (name.SequenceEqual("kvm_apic"u8))
        {
            Thread(e).OnApicAccess();
            Used(6);
        }
        else if (name.SequenceEqual("kvm_apic_accept_irq"u8))
        {
            if (!KvmEventFields.TryAcceptIrq(e.Fields, out uint apicId, out int vector))
            {
                throw FieldError(e, KvmEventFields.AcceptIrqShape);
            }

            if (vector == LapicVectors.LocalTimer && _timerTargets.Find(apicId, e.Pid, e.Cpu) is { } halted)
            {
                halted.OnTimerInterrupt(e.TimeNs);
            }

            NamedThread(e);
            Used(7);
        }
        else if (name.SequenceEqual("sched_switch"u8))
        {
            if (!SchedSwitchFields.TryParse(e.Fields, out int prevPid, out bool sleeps, out var prevComm, out int nextPid, out var nextComm))
            {
                throw FieldError(e, SchedSwitchFields.Shape);
            }

            if (_threads.TryGetValue(prevPid, out var prev))
            {
                prev.OnSwitchedOut(e.TimeNs);
            }

            if (_threads.TryGetValue(nextPid, out var next))
            {
                next.OnSwitchedIn(e.TimeNs);
            }

            _hostTasks?.OnSwitch(e.TimeNs, prevPid, sleeps, prevComm, nextPid, nextComm);
            NamedThread(e);
            Used(8);
        }
        else if (name.SequenceEqual("sched_wakeup"u8))
        {
            if (!SchedWakeupFields.TryParse(e.Fields, out int pid))
            {
                throw FieldError(e, SchedWakeupFields.Shape);
            }

            if (_threads.TryGetValue(pid, out var woken))
            {
                woken.OnWakeup(e.TimeNs);
            }
            else
            {
                _wakeups[pid] = e.TimeNs;
            }

            NamedThread(e);
            Used(9);
        }
        else
        {
            NamedThread(e);
            _skipped.Count(name);
        }
    }

    /// <summary>A vCPU thread known by its name, even if the recording shows none of its exits.</summary>
    private void NamedThread(in TraceLine e)
    {
        if (e.Comm.StartsWith("CPU "u8) && e.Comm.EndsWith("/KVM"u8))
        {
            Thread(e);
        }
    }

    private void IcrWrite(in TraceLine e, uint low, ulong destination, bool incompleteIpi)
    {
        // x2APIC's broadcast is 0xFFFFFFFF; other destinations above 0xFF cannot be named in Emu's xAPIC ICR.
        if (destination == 0xFFFF_FFFF)
        {
            destination = Icr.PhysicalBroadcast;
        }

        if (destination > 0xFF)
        {
            _unreplayable++;
            return;
        }

        Thread(e).OnIcrWrite(e.TimeNs, new Icr(low | (destination << Icr.DestinationShift)), incompleteIpi);
    }

    private void Used(int index) => _used[index]++;

    private VcpuThread Thread(in TraceLine e)
    {
        if (!_threads.TryGetValue(e.Pid, out var thread))
        {
            thread = new VcpuThread(e.Pid, e.Tgid, Encoding.UTF8.GetString(e.Comm), _writer, _ignoredExits, _firstNs);
            _threads.Add(e.Pid, thread);
            if (_wakeups.Remove(e.Pid, out long woken))
            {
                thread.OnWakeup(woken);
            }
        }
        else if (thread.Tgid < 0 && e.Tgid >= 0)
        {
            thread.Tgid = e.Tgid;
        }

        thread.OnCpu(e.Cpu);
        return thread;
    }

    private EmuConfigurationException Error(string what) => new($"{_file}:{_line}: {what}");

    private EmuConfigurationException FieldError(in TraceLine e, string shape) =>
        Error($"{Encoding.ASCII.GetString(e.EventName)}: expected {shape}, found '{SpanText.Show(e.Fields)}'");
}
