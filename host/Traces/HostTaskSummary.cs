namespace Emu.Host.Traces;

/// <summary>The host tasks of a recording, summed: the basis of the scenario's HostTasks section.</summary>
internal sealed class HostTaskSummary
{
    public int Tasks { get; set; }

    public long OnCpuNs { get; set; }

    public long RunPhases { get; set; }

    public long RunPhaseNs { get; set; }

    public long SleepPhases { get; set; }

    public long SleepNs { get; set; }

    /// <summary>The first few tasks' names, for the summary.</summary>
    public List<string> Names { get; } = new();
}
