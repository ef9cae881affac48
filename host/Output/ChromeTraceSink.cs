using System.Text.Encodings.Web;
using System.Text.Json;
using Emu.Core.Contracts;
using Emu.Core.Model;

namespace Emu.Host.Output;

/// <summary>
/// A Chrome / Perfetto trace (the trace-event JSON format, <c>{"traceEvents": [...]}</c>): one track per pCPU
/// (pid 0, tid = pCPU id), complete ("X") slices for the task that runs there and, nested in a vCPU's slice,
/// its lifecycle state (guest, host kernel, userspace); instant ("i") events for doorbells, spurious doorbells,
/// exits, wake-ups and lost wake-ups. Streamed with Utf8JsonWriter; after <c>limit</c> events it stops
/// recording and says so, and the file is valid JSON either way. Timestamps are µs with ns precision.
/// </summary>
internal sealed class ChromeTraceSink : ITraceSink, IDisposable
{
    private static readonly JsonEncodedText Name = JsonEncodedText.Encode("name");
    private static readonly JsonEncodedText Ph = JsonEncodedText.Encode("ph");
    private static readonly JsonEncodedText Ts = JsonEncodedText.Encode("ts");
    private static readonly JsonEncodedText Dur = JsonEncodedText.Encode("dur");
    private static readonly JsonEncodedText Pid = JsonEncodedText.Encode("pid");
    private static readonly JsonEncodedText Tid = JsonEncodedText.Encode("tid");
    private static readonly JsonEncodedText Cat = JsonEncodedText.Encode("cat");
    private static readonly JsonEncodedText S = JsonEncodedText.Encode("s");
    private static readonly JsonEncodedText Args = JsonEncodedText.Encode("args");
    private static readonly JsonEncodedText Vcpu = JsonEncodedText.Encode("vcpu");
    private static readonly JsonEncodedText X = JsonEncodedText.Encode("X");
    private static readonly JsonEncodedText I = JsonEncodedText.Encode("i");
    private static readonly JsonEncodedText M = JsonEncodedText.Encode("M");
    private static readonly JsonEncodedText ThreadScope = JsonEncodedText.Encode("t");
    private static readonly JsonEncodedText TaskCategory = JsonEncodedText.Encode("task");
    private static readonly JsonEncodedText StateCategory = JsonEncodedText.Encode("state");
    private static readonly JsonEncodedText EventCategory = JsonEncodedText.Encode("event");
    private static readonly JsonEncodedText Id = JsonEncodedText.Encode("id");
    private static readonly JsonEncodedText Bp = JsonEncodedText.Encode("bp");
    private static readonly JsonEncodedText FlowStart = JsonEncodedText.Encode("s");
    private static readonly JsonEncodedText FlowEnd = JsonEncodedText.Encode("f");
    private static readonly JsonEncodedText FlowStep = JsonEncodedText.Encode("t");
    private static readonly JsonEncodedText C = JsonEncodedText.Encode("C");
    private static readonly JsonEncodedText IpiFlow = JsonEncodedText.Encode("IPI");
    private static readonly JsonEncodedText IpiCategory = JsonEncodedText.Encode("ipi");
    private static readonly JsonEncodedText Reason = JsonEncodedText.Encode("reason");
    private static readonly JsonEncodedText Enclosing = JsonEncodedText.Encode("e");
    private static readonly JsonEncodedText DeviceCategory = JsonEncodedText.Encode("device");
    private static readonly JsonEncodedText DeviceFlow = JsonEncodedText.Encode("device interrupt");

    /// <summary>Device tracks live in their own process, one thread per device.</summary>
    private const int DevicePid = 1;

    /// <summary>VM i's process (its vCPU tracks) is pid FirstVmPid + i.</summary>
    private const int FirstVmPid = 2;
    private static readonly JsonEncodedText[] KindNames = Enum.GetNames<TraceKind>().Select(n => JsonEncodedText.Encode(n)).ToArray();
    private static readonly JsonEncodedText[] StateNames = Enum.GetNames<VcpuState>().Select(n => JsonEncodedText.Encode(n)).ToArray();

    private readonly PendingFile _file;
    private readonly Utf8JsonWriter _json;
    private readonly long _limit;
    private readonly Dictionary<int, (long Start, int Task)> _taskSlice = new();
    private readonly Dictionary<int, (long Start, int Vcpu, VcpuState State)> _stateSlice = new();
    private readonly SortedSet<int> _pcpus = new();
    private readonly Dictionary<int, JsonEncodedText> _taskNames = new();
    private readonly SortedSet<int> _devices = new();

    /// <summary>Each vCPU's open lifecycle slice on its own track, and the vCPUs seen.</summary>
    private readonly Dictionary<int, (long Start, VcpuState State)> _vcpuSlice = new();
    private readonly SortedSet<int> _vcpus = new();

    /// <summary>Each sender's last ICR write (time, pCPU), where its IPIs' flows start.</summary>
    private readonly Dictionary<int, (long Time, int Pcpu, ulong Icr)> _lastIcr = new();

    /// <summary>The flows that are IPIs' (the others are devices'): a flow's steps and end carry its start's name and category.</summary>
    private readonly HashSet<long> _ipiFlows = new();

    /// <summary>Flows from a device's interrupt to the guest taking it: open flow ids by (vCPU, vector).</summary>
    private readonly Dictionary<(int Vcpu, int Vector), List<long>> _openFlows = new();
    private long _nextFlow;
    private long _written;
    private bool _truncated;
    private long _lastTime;

    /// <summary>Writes into a temporary file beside <paramref name="path"/>, renamed to it by <see cref="Complete"/>: no half-written trace.</summary>
    public ChromeTraceSink(string path, long limit)
    {
        _file = new PendingFile(path);
        _json = new Utf8JsonWriter(_file.Stream, new JsonWriterOptions { Encoder = JavaScriptEncoder.UnsafeRelaxedJsonEscaping });
        _limit = limit;
        _json.WriteStartObject();
        _json.WriteStartArray("traceEvents");
    }

    /// <summary>Names tasks and pCPUs in the metadata written at the end (set once the machine exists).</summary>
    public Func<int, string> TaskName { get; set; } = t => "task " + t;

    public Func<int, string> CpuName { get; set; } = c => "pCPU " + c;

    public Func<int, string> DeviceName { get; set; } = d => "device " + d;

    /// <summary>The VM of a vCPU (for its track's process), and names for VMs and vCPUs.</summary>
    public Func<int, int> VmOfVcpu { get; set; } = _ => 0;

    public Func<int, string> VmName { get; set; } = vm => "VM " + vm;

    public Func<int, string> VcpuName { get; set; } = v => "vCPU " + v;

    public long EventsWritten => _written;

    public bool Truncated => _truncated;

    public void TaskSwitched(long time, int pcpu, int task)
    {
        _lastTime = time;
        _pcpus.Add(pcpu);
        CloseState(time, pcpu, -1);
        if (_taskSlice.Remove(pcpu, out var open) && time > open.Start)
        {
            if (!_taskNames.TryGetValue(open.Task, out var name))
            {
                name = JsonEncodedText.Encode(TaskName(open.Task));
                _taskNames[open.Task] = name;
            }

            Slice(open.Start, time, pcpu, TaskCategory, name, -1);
        }

        if (task >= 0)
        {
            _taskSlice[pcpu] = (time, task);
        }
    }

    public void VcpuStateChanged(long time, int pcpu, int vcpu, VcpuState state)
    {
        _lastTime = time;
        if (pcpu < 0)
        {
            return;
        }

        CloseState(time, pcpu, vcpu);
        if (state is VcpuState.InGuest or VcpuState.InHostKernel or VcpuState.InUserspace)
        {
            _stateSlice[pcpu] = (time, vcpu, state);
        }

        VcpuTrack(time, vcpu, state);
    }

    /// <summary>The vCPU's own track: every lifecycle state as a slice, blocked and preempted included.</summary>
    private void VcpuTrack(long time, int vcpu, VcpuState? next)
    {
        _vcpus.Add(vcpu);
        if (_vcpuSlice.Remove(vcpu, out var open) && time > open.Start)
        {
            Slice(open.Start, time, VcpuTid(vcpu).Pid, VcpuTid(vcpu).Tid, StateCategory, StateNames[(int)open.State], vcpu);
        }

        if (next is { } state)
        {
            _vcpuSlice[vcpu] = (time, state);
        }
    }

    private (int Pid, int Tid) VcpuTid(int vcpu) => (FirstVmPid + VmOfVcpu(vcpu), vcpu);

    public void Counter(long time, string name, int id, long value)
    {
        _lastTime = time;
        if (!Room())
        {
            return;
        }

        // A pCPU's counters belong to the host's process, a vCPU's (IsRunning) to its VM's.
        bool perVcpu = name == "IsRunning";
        _json.WriteStartObject();
        _json.WriteString(Name, perVcpu ? $"{name} {VcpuName(id)}" : $"{name} pCPU {id}");
        _json.WriteString(Ph, C);
        _json.WriteNumber(Ts, time / 1000.0);
        _json.WriteNumber(Pid, perVcpu ? FirstVmPid + VmOfVcpu(id) : 0);
        _json.WriteStartObject(Args);
        _json.WriteNumber(name, value);
        _json.WriteEndObject();
        _json.WriteEndObject();
        _written++;
    }

    public void Instant(long time, int pcpu, TraceKind kind, int vcpu, long argument)
    {
        _lastTime = time;
        if (pcpu < 0 || kind is TraceKind.HaltEnded or TraceKind.ApicIpi or TraceKind.ApicAcceptIrq or TraceKind.AvicGaLog || !Room())
        {
            return; // KVM's own tracepoints are the trace-cmd export's (KvmTraceSink); the timeline shows their effect
        }

        if (kind == TraceKind.DeviceInterrupt)
        {
            DeviceRaised(time, vcpu, (int)(argument >> 8), (int)(argument & 0xFF));
            return;
        }

        if (kind == TraceKind.IpiSent)
        {
            IpiSent(vcpu, (int)(argument >> 8), (int)(argument & 0xFF));
            return;
        }

        if (kind == TraceKind.IcrWrite)
        {
            _lastIcr[vcpu] = (time, pcpu, (ulong)argument);
        }

        if (kind is TraceKind.Doorbell or TraceKind.SpuriousDoorbell or TraceKind.DoorbellInHost)
        {
            // The doorbell is a step of every flow on its way to this vCPU.
            foreach (var ((target, _), ids) in _openFlows)
            {
                if (target == vcpu)
                {
                    foreach (long id in ids)
                    {
                        Flow(FlowStep, id, time, 0, pcpu);
                    }
                }
            }
        }

        if (kind == TraceKind.InterruptAccepted && _openFlows.Remove((vcpu, (int)argument), out var flows))
        {
            foreach (long id in flows)
            {
                Flow(FlowEnd, id, time, 0, pcpu);
            }
        }

        _json.WriteStartObject();
        _json.WriteString(Name, KindNames[(int)kind]);
        _json.WriteString(Cat, EventCategory);
        _json.WriteString(Ph, I);
        _json.WriteString(S, ThreadScope);
        _json.WriteNumber(Ts, time / 1000.0);
        _json.WriteNumber(Pid, 0);
        _json.WriteNumber(Tid, pcpu);
        _json.WriteStartObject(Args);
        _json.WriteNumber(Vcpu, vcpu);
        switch (kind)
        {
            case TraceKind.VmExit:
                var reason = (ExitReason)(argument & 0xFF);
                _json.WriteString(Reason, ExitReasonNames.Name(reason));
                if (reason == ExitReason.AvicIncompleteIpi)
                {
                    // KVM's kvm_avic_incomplete_ipi tracepoint: ICR (EXITINFO1) and EXITINFO2 (cause << 32 | index).
                    ulong info2 = (ulong)argument >> 8;
                    if (_lastIcr.TryGetValue(vcpu, out var last))
                    {
                        _json.WriteString("exitInfo1", $"0x{last.Icr:X16}");
                    }

                    _json.WriteString("exitInfo2", $"0x{info2:X16}");
                    _json.WriteString("cause", ((IncompleteIpiCause)(info2 >> 32)).ToString());
                }

                break;
            case TraceKind.IcrWrite:
                var icr = new Icr((ulong)argument);
                _json.WriteString("icr", $"0x{(ulong)argument:X16}");
                _json.WriteNumber("vector", icr.Vector);
                _json.WriteString("deliveryMode", icr.DeliveryMode.ToString());
                _json.WriteString("destination", icr.Shorthand == DestinationShorthand.None ? $"{(icr.IsLogical ? "logical" : "physical")} 0x{icr.Destination:X2}" : icr.Shorthand.ToString());
                break;
            case TraceKind.InterruptAccepted:
                _json.WriteNumber("vector", argument);
                break;
        }

        _json.WriteEndObject();
        _json.WriteEndObject();
        _written++;
    }

    /// <summary>An IPI's vector reached its target's IRR: a flow from the sender's ICR write, ended where the target takes it.</summary>
    private void IpiSent(int target, int sender, int vector)
    {
        if (!_lastIcr.TryGetValue(sender, out var icr))
        {
            return;
        }

        long id = ++_nextFlow;
        _ipiFlows.Add(id);
        Flow(FlowStart, id, icr.Time, 0, icr.Pcpu);
        if (!_openFlows.TryGetValue((target, vector), out var open))
        {
            _openFlows[(target, vector)] = open = new List<long>();
        }

        open.Add(id);
    }

    /// <summary>Closes the open slices at the end of the run, names the tracks, and ends the JSON document.</summary>
    public void Complete(long endTime)
    {
        foreach (int pcpu in _pcpus.ToArray())
        {
            TaskSwitched(Math.Max(endTime, _lastTime), pcpu, -1);
        }

        foreach (int vcpu in _vcpus.ToArray())
        {
            VcpuTrack(Math.Max(endTime, _lastTime), vcpu, null);
        }

        Metadata("process_name", 0, null, "host (pCPUs)");
        foreach (int vm in _vcpus.Select(VmOfVcpu).Distinct().Order())
        {
            Metadata("process_name", FirstVmPid + vm, null, VmName(vm));
        }

        foreach (int vcpu in _vcpus)
        {
            var (pid, tid) = VcpuTid(vcpu);
            Metadata("thread_name", pid, tid, VcpuName(vcpu));
        }

        foreach (int pcpu in _pcpus)
        {
            _json.WriteStartObject();
            _json.WriteString(Name, "thread_name");
            _json.WriteString(Ph, M);
            _json.WriteNumber(Pid, 0);
            _json.WriteNumber(Tid, pcpu);
            _json.WriteStartObject(Args);
            _json.WriteString(Name, CpuName(pcpu));
            _json.WriteEndObject();
            _json.WriteEndObject();
        }

        foreach (int device in _devices)
        {
            _json.WriteStartObject();
            _json.WriteString(Name, "thread_name");
            _json.WriteString(Ph, M);
            _json.WriteNumber(Pid, DevicePid);
            _json.WriteNumber(Tid, device);
            _json.WriteStartObject(Args);
            _json.WriteString(Name, DeviceName(device));
            _json.WriteEndObject();
            _json.WriteEndObject();
        }

        if (_devices.Count > 0)
        {
            _json.WriteStartObject();
            _json.WriteString(Name, "process_name");
            _json.WriteString(Ph, M);
            _json.WriteNumber(Pid, DevicePid);
            _json.WriteStartObject(Args);
            _json.WriteString(Name, "devices");
            _json.WriteEndObject();
            _json.WriteEndObject();
        }

        if (_truncated)
        {
            _json.WriteStartObject();
            _json.WriteString(Name, $"trace truncated after {_limit} events (--trace-limit)");
            _json.WriteString(Ph, I);
            _json.WriteString(S, JsonEncodedText.Encode("g"));
            _json.WriteNumber(Ts, endTime / 1000.0);
            _json.WriteNumber(Pid, 0);
            _json.WriteNumber(Tid, 0);
            _json.WriteEndObject();
        }

        _json.WriteEndArray();
        _json.WriteString("displayTimeUnit", "ns");
        _json.WriteEndObject();
        _json.Flush();
        _json.Dispose();
        _file.Commit();
    }

    /// <summary>Closes the file; a trace never completed (the scenario did not validate, the run crashed) is deleted.</summary>
    public void Dispose()
    {
        _json.Dispose();
        _file.Dispose();
    }

    private void CloseState(long time, int pcpu, int vcpu)
    {
        if (_stateSlice.TryGetValue(pcpu, out var open) && (vcpu < 0 || open.Vcpu == vcpu))
        {
            _stateSlice.Remove(pcpu);
            if (time > open.Start)
            {
                Slice(open.Start, time, pcpu, StateCategory, StateNames[(int)open.State], open.Vcpu);
            }
        }
    }

    private void Slice(long start, long end, int pcpu, JsonEncodedText category, JsonEncodedText name, int vcpu) => Slice(start, end, 0, pcpu, category, name, vcpu);

    private void Slice(long start, long end, int pid, int tid, JsonEncodedText category, JsonEncodedText name, int vcpu)
    {
        if (!Room())
        {
            return;
        }

        _json.WriteStartObject();
        _json.WriteString(Name, name);
        _json.WriteString(Cat, category);
        _json.WriteString(Ph, X);
        _json.WriteNumber(Ts, start / 1000.0);
        _json.WriteNumber(Dur, (end - start) / 1000.0);
        _json.WriteNumber(Pid, pid);
        _json.WriteNumber(Tid, tid);
        if (vcpu >= 0)
        {
            _json.WriteStartObject(Args);
            _json.WriteNumber(Vcpu, vcpu);
            _json.WriteEndObject();
        }

        _json.WriteEndObject();
        _written++;
    }

    private void Metadata(string kind, int pid, int? tid, string name)
    {
        _json.WriteStartObject();
        _json.WriteString(Name, kind);
        _json.WriteString(Ph, M);
        _json.WriteNumber(Pid, pid);
        if (tid is { } t)
        {
            _json.WriteNumber(Tid, t);
        }

        _json.WriteStartObject(Args);
        _json.WriteString(Name, name);
        _json.WriteEndObject();
        _json.WriteEndObject();
    }

    /// <summary>A device's interrupt: a short slice on the device's track, and the start of a flow to its acceptance.</summary>
    private void DeviceRaised(long time, int vcpu, int device, int vector)
    {
        _devices.Add(device);
        _json.WriteStartObject();
        _json.WriteString(Name, $"0x{vector:X2} to vCPU {vcpu}");
        _json.WriteString(Cat, DeviceCategory);
        _json.WriteString(Ph, X);
        _json.WriteNumber(Ts, time / 1000.0);
        _json.WriteNumber(Dur, 0.001);
        _json.WriteNumber(Pid, DevicePid);
        _json.WriteNumber(Tid, device);
        _json.WriteStartObject(Args);
        _json.WriteNumber(Vcpu, vcpu);
        _json.WriteEndObject();
        _json.WriteEndObject();
        _written++;
        long id = ++_nextFlow;
        Flow(FlowStart, id, time, DevicePid, device);
        if (!_openFlows.TryGetValue((vcpu, vector), out var open))
        {
            _openFlows[(vcpu, vector)] = open = new List<long>();
        }

        open.Add(id);
    }

    private void Flow(JsonEncodedText phase, long id, long time, int pid, int tid)
    {
        bool ipi = _ipiFlows.Contains(id);
        if (ipi && phase.Equals(FlowEnd))
        {
            _ipiFlows.Remove(id);
        }

        _json.WriteStartObject();
        _json.WriteString(Name, ipi ? IpiFlow : DeviceFlow);
        _json.WriteString(Cat, ipi ? IpiCategory : DeviceCategory);
        _json.WriteString(Ph, phase);
        _json.WriteNumber(Id, id);
        _json.WriteNumber(Ts, time / 1000.0);
        _json.WriteNumber(Pid, pid);
        _json.WriteNumber(Tid, tid);
        if (phase.Equals(FlowEnd))
        {
            _json.WriteString(Bp, Enclosing);
        }

        _json.WriteEndObject();
        _written++;
    }

    private bool Room()
    {
        if (_written < _limit)
        {
            return true;
        }

        _truncated = true;
        return false;
    }
}
