using System.Text;
using Emu.Core.Results;

namespace Emu.Host.Output;

/// <summary>
/// result.csv: one header row and one value row: the run's identity (seed, simulated time, events, interrupt
/// virtualization, scheduler, completed) and every numeric total of result.json as a dotted column.
/// </summary>
internal static class ResultCsv
{
    public const string FileName = "result.csv";

    public static readonly string[] IdentityColumns = { "seed", "simulatedNs", "events", "interruptVirtualization", "scheduler", "completed" };

    public static string Write(SimulationResult r)
    {
        var metrics = ResultMetrics.Totals(r);
        var columns = new List<string>(IdentityColumns.Length + metrics.Count);
        columns.AddRange(IdentityColumns);
        var values = new List<string>(columns.Capacity)
        {
            Csv.Number(r.Seed), Csv.Number(r.SimulatedNs), Csv.Number(r.Events), r.InterruptVirtualization, r.Scheduler, r.Completed ? "true" : "false",
        };
        for (int i = 0; i < metrics.Count; i++)
        {
            columns.Add(metrics[i].Key);
            values.Add(Csv.Number(metrics[i].Value));
        }

        var sb = new StringBuilder();
        Csv.Line(sb, columns);
        Csv.Line(sb, values);
        return sb.ToString();
    }
}
