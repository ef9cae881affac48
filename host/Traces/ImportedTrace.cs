namespace Emu.Host.Traces;

/// <summary>What reading a trace found: its shape, its threads and what was used and skipped, for the scenario and the summary.</summary>
internal sealed class ImportedTrace
{
    public required TraceFormat Format { get; init; }

    public required long Lines { get; init; }

    public required long Events { get; init; }

    public required long FirstNs { get; init; }

    public required long LastNs { get; init; }

    /// <summary>One more than the highest CPU number any line names.</summary>
    public required int CpusSeen { get; init; }

    /// <summary>Events dropped by the ring buffer, as the report says (<c>CPU:2 [LOST 12 EVENTS]</c>).</summary>
    public required long LostEvents { get; init; }

    public required IReadOnlyList<VcpuThread> VcpuThreads { get; init; }

    /// <summary>Events used, by name, in the order the summary lists them.</summary>
    public required IReadOnlyList<(string Name, long Count)> Used { get; init; }

    public required NameCounts Skipped { get; init; }

    public required NameCounts IgnoredExits { get; init; }

    /// <summary>ICR writes to an x2APIC destination above 0xFF, which Emu's xAPIC model cannot name.</summary>
    public required long UnreplayableIcrWrites { get; init; }

    /// <summary>With --host-tasks, the host's other tasks; else null.</summary>
    public required HostTaskSummary? HostTasks { get; init; }

    public long DurationNs => LastNs - FirstNs;
}
