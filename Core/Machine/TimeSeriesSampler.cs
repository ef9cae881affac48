using Emu.Core.Engine;
using Emu.Core.Results;

namespace Emu.Core.Machine;

/// <summary>
/// Simulation:SampleUs: every interval, what happened in it (exits, doorbells, spurious doorbells, IPIs, device
/// interrupts, context switches), so that the warm-up and bursts show over time (timeseries.csv). The samples are
/// preallocated for the whole run; taking one allocates nothing.
/// </summary>
internal sealed class TimeSeriesSampler : IEventHandler
{
    /// <summary>The most intervals a run may sample (64 bytes each); more is refused when the scenario is checked.</summary>
    public const long MaxIntervals = 1_000_000;

    private readonly MachineState _m;
    private readonly long _intervalNs;
    private readonly int _kind;
    private readonly List<TimeSample> _samples;
    private TimeSample _last;
    private long _lastTime;

    public TimeSeriesSampler(MachineState m, long intervalNs, long endNs)
    {
        _m = m;
        _intervalNs = intervalNs;
        _kind = m.Engine.RegisterKind("TimeSample", this);
        _samples = new List<TimeSample>((int)Math.Min((endNs / intervalNs) + 2, MaxIntervals + 1));
    }

    public IReadOnlyList<TimeSample> Samples => _samples;

    public void Start() => _m.Engine.Schedule(_intervalNs, _kind, 0);

    /// <summary>The counts restart (the warm-up ended): what the current interval counted so far is carried over.</summary>
    public void OnReset()
    {
        var now = Snapshot();
        _last = new TimeSample(
            0, 0, _last.VmExits - now.VmExits, _last.Doorbells - now.Doorbells, _last.SpuriousDoorbells - now.SpuriousDoorbells,
            _last.IpisSent - now.IpisSent, _last.DeviceInterrupts - now.DeviceInterrupts, _last.ContextSwitches - now.ContextSwitches);
    }

    void IEventHandler.Handle(in SimEvent e)
    {
        Take(e.Time);
        _m.Engine.Schedule(e.Time + _intervalNs, _kind, 0);
    }

    /// <summary>The interval from the last sample to now, shorter than the others (the run ended or was stopped), if any.</summary>
    public void Flush()
    {
        if (_m.Now > _lastTime)
        {
            Take(_m.Now);
        }
    }

    private void Take(long time)
    {
        var now = Snapshot();
        _samples.Add(new TimeSample(
            _lastTime, time, now.VmExits - _last.VmExits, now.Doorbells - _last.Doorbells, now.SpuriousDoorbells - _last.SpuriousDoorbells,
            now.IpisSent - _last.IpisSent, now.DeviceInterrupts - _last.DeviceInterrupts, now.ContextSwitches - _last.ContextSwitches));
        _last = now;
        _lastTime = time;
    }

    private TimeSample Snapshot()
    {
        var c = _m.Counters;
        return new TimeSample(0, 0, c.TotalVmExits, c.DoorbellsSent, c.DoorbellsSpurious, c.IpisSent, _m.Devices.Totals.Sent, c.ContextSwitches);
    }
}
