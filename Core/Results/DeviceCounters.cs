using HdrHistogram;

namespace Emu.Core.Results;

/// <summary>
/// Device interrupts counted one way for the whole run, each VM and each device: raised, posted by the IOMMU or
/// remapped to the host, the IOMMU's doorbells by where they landed, GA-log entries and interrupts, the wake-ups they
/// caused, and the latency from the device raising one to the guest taking it.
/// </summary>
internal sealed class DeviceCounters
{
    public long Sent;
    public long Posted;
    public long Remapped;
    public long Doorbells;
    public long ToRunningTarget;
    public long ToTargetInHost;
    public long Spurious;
    public long SpuriousOnForeignTask;
    public long GaLogEntries;
    public long GaLogInterrupts;
    public long Wakeups;
    public long Accepted;

    /// <summary>Raise to acceptance; allocated only for VMs and devices that have devices (recording does not allocate).</summary>
    public LongHistogram Latency { get; } = new(SimulationCounters.MaxTrackedLatencyNs, 3);

    public long LatencySumNs;

    public void Reset()
    {
        Sent = Posted = Remapped = Doorbells = ToRunningTarget = ToTargetInHost = Spurious = SpuriousOnForeignTask = 0;
        GaLogEntries = GaLogInterrupts = Wakeups = Accepted = LatencySumNs = 0;
        Latency.Reset();
    }

    public void RecordLatency(long latency)
    {
        LatencySumNs += latency;
        if (latency <= SimulationCounters.MaxTrackedLatencyNs)
        {
            Latency.RecordValue(latency);
        }
    }

    public DeviceInterruptsResult ToResult(long pending)
    {
        var h = Latency;
        var latency = h.TotalCount == 0
            ? new LatencySummary(0, 0, 0, 0, 0, 0)
            : new LatencySummary(h.TotalCount, h.GetValueAtPercentile(50), h.GetValueAtPercentile(90), h.GetValueAtPercentile(99), h.GetMaxValue(), Math.Round(h.GetMean(), 1));
        return new DeviceInterruptsResult(
            Sent, Posted, Remapped, Doorbells, ToRunningTarget, ToTargetInHost, Spurious, SpuriousOnForeignTask, GaLogEntries, GaLogInterrupts, Wakeups, Accepted, pending, latency);
    }
}
