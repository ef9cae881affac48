using System.Text.Json;
using System.Globalization;
using Emu.Core.Results;
using Spectre.Console;

namespace Emu.Host.Output;

/// <summary>The table `emu run` prints: the headline numbers of result.json.</summary>
internal static class SummaryTable
{
    public static void Write(TextWriter writer, SimulationResult r)
    {
        var t = r.Totals;
        var exits = t.VmExits;
        var incomplete = exits.AvicIncompleteIpi;
        var table = new Table().Border(TableBorder.Simple).AddColumn("metric").AddColumn(new TableColumn("value").RightAligned());
        Row(table, "interrupt virtualization", r.InterruptVirtualization);
        Row(table, "scheduler", r.SchedulerFallback is { } f
            ? $"{r.Scheduler}, then {f.To} from {f.TimeNs / 1000:N0} us (watchdog: {f.TaskName} starved)"
            : r.Scheduler);
        Row(table, "vCPUs / pCPUs", $"{r.Vms.Sum(v => v.Vcpus.Count)} / {r.Pcpus.Count}");
        Row(table, "simulated", $"{N(r.SimulatedNs / 1000)} us");
        Row(table, "events", N(r.Events));
        Row(table, "wall", $"{r.WallSeconds.ToString("0.000", CultureInfo.InvariantCulture)} s");
        Row(table, "IPIs sent / delivered", $"{N(t.IpisSent)} / {N(t.IpisDelivered)}");
        Row(table, $"IPI latency p50 / p99 / max (n = {N(t.IpiLatencyNs.Count)})", Percentiles(t.IpiLatencyNs));
        Row(table, "doorbells sent / to running target", $"{N(t.Doorbells.Sent)} / {N(t.Doorbells.ToRunningTarget)}");
        Row(table, "spurious doorbells / on foreign tasks", $"{N(t.Doorbells.Spurious)} / {N(t.Doorbells.SpuriousOnForeignTask)}");
        Row(table, "stolen from foreign tasks", $"{N(t.StolenNsOnForeignTasks)} ns");
        Row(table, "VM exits (total)", N(exits.Total));
        Row(table, "  AVIC incomplete IPI: target not running", N(incomplete.TargetNotRunning));
        Row(table, "  AVIC incomplete IPI: other causes", N(incomplete.InvalidTarget + incomplete.InvalidIntType + incomplete.InvalidBackingPage + incomplete.InvalidIpiVector));
        Row(table, "  ICR write (emulated)", N(exits.IcrWrite));
        Row(table, "  HLT / userspace / MMIO", $"{N(exits.Hlt)} / {N(exits.Userspace)} / {N(exits.Mmio)}");
        foreach (var e in r.ExitStats)
        {
            // perf kvm stat's columns: samples, share of exit time, mean and range.
            Row(table, $"  {e.Reason}", $"{N(e.Count)}, {(e.TimeShare * 100).ToString("0.0", CultureInfo.InvariantCulture)} % of exit time, mean {Time(e.MeanNs)} ({Time(e.MinNs)}..{Time(e.MaxNs)})");
        }

        Row(table, "wake-ups / kicks", $"{N(t.Wakeups)} / {N(t.Kicks)}");
        Row(table, "halt polls attempted / successful", $"{N(t.HaltPolls.Attempted)} / {N(t.HaltPolls.Successful)}");
        Row(table, "lost wake-ups", N(t.LostWakeups));
        if (t.DeviceInterrupts is { Sent: > 0 } d) // null in a result.json written before devices existed
        {
            Row(table, "device interrupts sent / posted / remapped", $"{N(d.Sent)} / {N(d.Posted)} / {N(d.Remapped)}");
            Row(table, "  IOMMU doorbells / to running target / spurious / on foreign tasks", $"{N(d.Doorbells)} / {N(d.ToRunningTarget)} / {N(d.Spurious)} / {N(d.SpuriousOnForeignTask)}");
            Row(table, "  GA-log entries / interrupts / wake-ups", $"{N(d.GaLogEntries)} / {N(d.GaLogInterrupts)} / {N(d.Wakeups)}");
            Row(table, $"  latency p50 / p99 / max (n = {N(d.LatencyNs.Count)})", Percentiles(d.LatencyNs));
        }
        foreach (var vm in r.Vms)
        {
            // Plugins' own sections (vms[i].nested, ...): one row per figure.
            foreach (var (section, figures) in vm.Sections ?? new Dictionary<string, JsonElement>())
            {
                if (figures.ValueKind != JsonValueKind.Object)
                {
                    continue;
                }

                foreach (var figure in figures.EnumerateObject())
                {
                    string text = figure.Value.TryGetInt64(out long n) ? N(n) : figure.Value.GetRawText();
                    Row(table, $"{vm.Name} {section} {figure.Name}", text);
                }
            }
        }

        Row(table, "completed", r.Completed ? "yes" : "no");
        PlainConsole.Over(writer).Write(table);
    }

    private static void Row(Table table, string name, string value) => table.AddRow(Markup.Escape(name), Markup.Escape(value));

    private static string N(long value) => value.ToString("N0", CultureInfo.InvariantCulture);

    /// <summary>p50 / p99 / max in readable units, saying so when p99 is just the largest sample (fewer than 100 of them).</summary>
    private static string Percentiles(LatencySummary l)
    {
        string text = $"{Time(l.P50)} / {Time(l.P99)} / {Time(l.Max)}";
        return l.Count is > 0 and < 100 ? text + " (p99 = the maximum: fewer than 100 samples)" : text;
    }

    /// <summary>A duration in the unit that reads best: 850 ns, 12.4 us, 3.1 ms, 1.2 s.</summary>
    public static string Time(long ns) => ns switch
    {
        < 10_000 => $"{N(ns)} ns",
        < 10_000_000 => $"{(ns / 1e3).ToString("0.#", CultureInfo.InvariantCulture)} us",
        < 10_000_000_000 => $"{(ns / 1e6).ToString("0.#", CultureInfo.InvariantCulture)} ms",
        _ => $"{(ns / 1e9).ToString("0.#", CultureInfo.InvariantCulture)} s",
    };
}
