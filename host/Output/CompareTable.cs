using System.Globalization;
using System.Text.Json.Nodes;
using Emu.Core.Results;
using Spectre.Console;

namespace Emu.Host.Output;

/// <summary>`emu compare`: the configuration keys that differ, then every total of A and B with the difference and B / A; '*' marks a total that differs.</summary>
internal static class CompareTable
{
    public static void Write(TextWriter writer, string nameA, SimulationResult a, string nameB, SimulationResult b)
    {
        var console = PlainConsole.Over(writer);
        var configA = Flatten(a.Config);
        var configB = Flatten(b.Config);
        var keys = configA.Keys.Union(configB.Keys, StringComparer.Ordinal).Order(StringComparer.Ordinal).ToList();
        var config = new Table().Border(TableBorder.Simple).AddColumn("config key").AddColumn("A").AddColumn("B");
        int differing = 0;
        foreach (string key in keys)
        {
            string va = configA.GetValueOrDefault(key) ?? "(absent)";
            string vb = configB.GetValueOrDefault(key) ?? "(absent)";
            if (va != vb)
            {
                differing++;
                config.AddRow(Markup.Escape(key), Markup.Escape(va), Markup.Escape(vb));
            }
        }

        writer.WriteLine($"A: {nameA} ({a.InterruptVirtualization}, {a.Scheduler}, seed {a.Seed})");
        writer.WriteLine($"B: {nameB} ({b.InterruptVirtualization}, {b.Scheduler}, seed {b.Seed})");
        if (differing == 0)
        {
            writer.WriteLine("configuration: identical");
        }
        else
        {
            console.Write(config);
        }

        var totals = new Table().Border(TableBorder.Simple).AddColumn(" ").AddColumn("total")
            .AddColumn(new TableColumn("A").RightAligned()).AddColumn(new TableColumn("B").RightAligned())
            .AddColumn(new TableColumn("B - A").RightAligned()).AddColumn(new TableColumn("B / A").RightAligned());
        var ma = ResultMetrics.Totals(a);
        var mb = ResultMetrics.Totals(b).ToDictionary(m => m.Key, m => m.Value, StringComparer.Ordinal);
        foreach (var (name, va) in ma)
        {
            double vb = mb.GetValueOrDefault(name);
            string ratio = va == 0 ? (vb == 0 ? "1" : "-") : (vb / va).ToString("0.###", CultureInfo.InvariantCulture);
            totals.AddRow(va == vb ? " " : "*", Markup.Escape(name), Num(va), Num(vb), Num(vb - va), ratio);
        }

        console.Write(totals);
    }

    /// <summary>Every number alike: thousands separated, at most three decimals (165,010.9 beside 164,220).</summary>
    private static string Num(double v) => v.ToString("#,##0.###", CultureInfo.InvariantCulture);

    /// <summary>The comparison as JSON: the configuration keys that differ, then every total with A, B, B - A and B / A.</summary>
    public static JsonObject ToJson(string nameA, SimulationResult a, string nameB, SimulationResult b)
    {
        var configA = Flatten(a.Config);
        var configB = Flatten(b.Config);
        var config = new JsonObject();
        foreach (string key in configA.Keys.Union(configB.Keys, StringComparer.Ordinal).Order(StringComparer.Ordinal))
        {
            string? va = configA.GetValueOrDefault(key), vb = configB.GetValueOrDefault(key);
            if (va != vb)
            {
                config[key] = new JsonObject { ["a"] = va, ["b"] = vb };
            }
        }

        var totals = new JsonObject();
        var mb = ResultMetrics.Totals(b).ToDictionary(m => m.Key, m => m.Value, StringComparer.Ordinal);
        foreach (var (name, va) in ResultMetrics.Totals(a))
        {
            double vb = mb.GetValueOrDefault(name);
            totals[name] = new JsonObject { ["a"] = va, ["b"] = vb, ["difference"] = vb - va, ["ratio"] = va == 0 ? (vb == 0 ? 1 : null) : vb / va };
        }

        return new JsonObject { ["a"] = nameA, ["b"] = nameB, ["configuration"] = config, ["totals"] = totals };
    }

    private static Dictionary<string, string?> Flatten(JsonNode? node)
    {
        var values = new Dictionary<string, string?>(StringComparer.Ordinal);
        Walk(node, string.Empty, values);
        return values;
    }

    private static void Walk(JsonNode? node, string path, Dictionary<string, string?> values)
    {
        switch (node)
        {
            case JsonObject obj:
                foreach (var (k, child) in obj)
                {
                    Walk(child, path.Length == 0 ? k : path + ":" + k, values);
                }

                break;
            case JsonArray arr:
                for (int i = 0; i < arr.Count; i++)
                {
                    Walk(arr[i], path + ":" + i.ToString(CultureInfo.InvariantCulture), values);
                }

                break;
            default:
                values[path] = node?.ToJsonString();
                break;
        }
    }
}
