using System.Globalization;

namespace Emu.Host.Traces;

/// <summary>What <c>emu import</c> prints: what it read, used and skipped, and what each VM will replay.</summary>
internal static class ImportSummary
{
    public static void Write(TextWriter o, string file, ImportedTrace trace, IReadOnlyList<ImportedVm> vms, HostTaskModel? hostTasks, bool hostTasksAsked)
    {
        string format = trace.Format == TraceFormat.Perf ? "perf script" : "trace-cmd report";
        o.WriteLine($"{file}: {format}, {trace.Lines:N0} lines, {trace.Events:N0} events over {trace.DurationNs / 1000.0:N1} µs "
            + $"({SpanText.ShowTime(trace.FirstNs)} to {SpanText.ShowTime(trace.LastNs)}) on CPUs {Ranges(Enumerable.Range(0, trace.CpusSeen))}");
        o.WriteLine($"used: {List(trace.Used)}");
        if (trace.Skipped.Total > 0)
        {
            o.WriteLine($"skipped: {List(trace.Skipped.Ordered())} (events the import does not use)");
        }

        if (trace.IgnoredExits.Total > 0)
        {
            o.WriteLine($"exits not replayed: {List(trace.IgnoredExits.Ordered())} (their host time is dropped: Emu models preemption, ticks and kicks itself)");
        }

        foreach (var vm in vms)
        {
            var threads = vm.Threads.ToList();
            string process = vm.Tgid >= 0 ? $", process {vm.Tgid}" : string.Empty;
            o.WriteLine($"{vm.Name}: {vm.Vcpus.Count} vCPUs (threads {Ranges(threads.Select(t => t.Pid))}{process}) on pCPUs {Ranges(vm.Cpus)}: "
                + $"{threads.Sum(t => t.IcrWrites):N0} ICR writes, {threads.Sum(t => t.Halts):N0} halts, "
                + $"{threads.Sum(t => t.UserspaceExits):N0} userspace exits, {threads.Sum(t => t.MmioExits):N0} MMIO exits");
        }

        o.WriteLine(ReplayScenario.IsPinned(vms, trace.CpusSeen)
            ? "scheduler: Pinned (each vCPU thread ran on a pCPU of its own)"
            : "scheduler: Fair (vCPU threads shared or changed pCPUs), each VM on the pCPUs it used");
        if (hostTasksAsked)
        {
            o.WriteLine(hostTasks is null
                ? "host tasks: none ran (HostTasks:PerCpu 0)"
                : $"host tasks: {trace.HostTasks!.Tasks:N0} ({string.Join(", ", trace.HostTasks.Names)}{(trace.HostTasks.Tasks > trace.HostTasks.Names.Count ? ", ..." : string.Empty)}), "
                    + $"{hostTasks.RecordedShare * 100:N1}% of the pCPUs -> HostTasks:PerCpu {hostTasks.PerCpu}, RunUs {hostTasks.RunUs:N0}, SleepUs {hostTasks.SleepUs:N0} "
                    + $"(mean run and sleep; {hostTasks.ModelShare * 100:N1}% of a pCPU with nothing else to run)");
        }

        if (trace.LostEvents > 0)
        {
            o.WriteLine($"warning: the report says the ring buffer lost {trace.LostEvents:N0} events; the replay misses what they held (record with a larger buffer: trace-cmd record -b)");
        }

        if (trace.UnreplayableIcrWrites > 0)
        {
            o.WriteLine($"warning: {trace.UnreplayableIcrWrites:N0} ICR writes to x2APIC destinations above 0xFF are left out (Emu's ICR is xAPIC's)");
        }
    }

    private static string List(IEnumerable<(string Name, long Count)> counts) =>
        string.Join(", ", counts.Select(c => string.Create(CultureInfo.InvariantCulture, $"{c.Name} {c.Count:N0}")));

    /// <summary>Numbers as ranges: 0-3, 6, 8-9.</summary>
    public static string Ranges(IEnumerable<int> numbers)
    {
        var sorted = numbers.Distinct().Order().ToList();
        if (sorted.Count == 0)
        {
            return "none";
        }

        var parts = new List<string>();
        int start = sorted[0], prev = sorted[0];
        foreach (int n in sorted.Skip(1).Append(int.MinValue))
        {
            if (n == prev + 1)
            {
                prev = n;
                continue;
            }

            parts.Add(start == prev ? $"{start}" : $"{start}-{prev}");
            start = prev = n;
        }

        return string.Join(", ", parts);
    }
}
