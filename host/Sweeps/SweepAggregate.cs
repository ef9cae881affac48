using System.Text.Json.Nodes;

namespace Emu.Host.Sweeps;

/// <summary>
/// Replications of each combination reduced to mean and 95% confidence interval per total, and, when
/// Svm:AvicDoorbellStrict is varied, the ratio strict / non-strict of each mean for otherwise equal settings.
/// Computed in point-index order, so it does not depend on how many jobs ran or in which order they finished.
/// </summary>
internal static class SweepAggregate
{
    public const string StrictKey = "Svm:AvicDoorbellStrict";

    public static JsonObject Build(SweepPlan plan, IReadOnlyList<PointResult> points)
    {
        var byCombination = new List<PointResult>[plan.Combinations];
        for (int c = 0; c < plan.Combinations; c++)
        {
            byCombination[c] = new List<PointResult>();
        }

        foreach (var p in points.OrderBy(p => p.Point.Index))
        {
            byCombination[p.Point.Combination].Add(p);
        }

        var combinations = new JsonArray();
        var means = new Dictionary<string, double>[plan.Combinations];
        for (int c = 0; c < plan.Combinations; c++)
        {
            means[c] = new Dictionary<string, double>(StringComparer.Ordinal);
            combinations.Add(Combination(plan, c, byCombination[c], means[c]));
        }

        return new JsonObject
        {
            ["schemaVersion"] = 1,
            ["axes"] = Axes(plan),
            ["replications"] = plan.Replications,
            ["baseSeed"] = plan.BaseSeed,
            ["combinations"] = combinations,
            ["strictOverNonStrict"] = Ratios(plan, byCombination, means),
        };
    }

    public static JsonArray Axes(SweepPlan plan)
    {
        var axes = new JsonArray();
        foreach (var a in plan.Axes)
        {
            axes.Add(new JsonObject { ["key"] = a.Key, ["values"] = new JsonArray(a.Values.Select(v => (JsonNode?)JsonValue.Create(v)).ToArray()) });
        }

        return axes;
    }

    private static JsonObject Combination(SweepPlan plan, int c, List<PointResult> runs, Dictionary<string, double> means)
    {
        var metrics = new JsonObject();
        if (runs.Count > 0)
        {
            var names = runs[0].Metrics;
            for (int m = 0; m < names.Count; m++)
            {
                var sample = runs.Select(r => r.Metrics[m].Value).ToArray();
                double mean = sample.Average();
                means[names[m].Key] = mean;
                metrics[names[m].Key] = new JsonObject
                {
                    ["mean"] = mean,
                    ["ci95"] = sample.Length < 2 ? null : HalfWidth(sample, mean), // one run: unknown, not zero
                    ["min"] = sample.Min(),
                    ["max"] = sample.Max(),
                };
            }
        }

        return new JsonObject
        {
            ["values"] = Values(plan.ValuesOf(c)),
            ["runs"] = runs.Count,
            ["incomplete"] = runs.Count(r => !r.Result.Completed),
            ["metrics"] = metrics,
            ["exitStats"] = ExitStats(runs),
        };
    }

    /// <summary>perf kvm stat's report over the replications: per exit reason, the mean count, mean time and mean share of exit time.</summary>
    private static JsonArray ExitStats(List<PointResult> runs)
    {
        var rows = runs.SelectMany(r => r.Result.ExitStats)
            .GroupBy(e => e.Reason, StringComparer.Ordinal)
            .Select(g => (Reason: g.Key, Count: g.Sum(e => (double)e.Count) / runs.Count, Mean: g.Sum(e => (double)e.TotalNs) / Math.Max(1, g.Sum(e => e.Count)), Share: g.Sum(e => e.TimeShare) / runs.Count))
            .OrderByDescending(x => x.Count).ThenBy(x => x.Reason, StringComparer.Ordinal);
        var array = new JsonArray();
        foreach (var (reason, count, mean, share) in rows)
        {
            array.Add(new JsonObject { ["reason"] = reason, ["count"] = Math.Round(count, 3), ["meanNs"] = Math.Round(mean, 1), ["timeShare"] = Math.Round(share, 4) });
        }

        return array;
    }

    /// <summary>Half-width of the 95% interval of the mean: t(0.975, n-1) s / sqrt(n); 0 for one run.</summary>
    public static double HalfWidth(double[] sample, double mean)
    {
        int n = sample.Length;
        if (n < 2)
        {
            return 0;
        }

        double ss = 0;
        foreach (double x in sample)
        {
            ss += (x - mean) * (x - mean);
        }

        return StudentT.Quantile975(n - 1) * Math.Sqrt(ss / (n - 1)) / Math.Sqrt(n);
    }

    private static JsonArray Ratios(SweepPlan plan, List<PointResult>[] runs, Dictionary<string, double>[] means)
    {
        var ratios = new JsonArray();
        int axis = plan.Axes.ToList().FindIndex(a => string.Equals(a.Key, StrictKey, StringComparison.OrdinalIgnoreCase));
        if (axis < 0)
        {
            return ratios;
        }

        for (int c = 0; c < plan.Combinations; c++)
        {
            var values = plan.ValuesOf(c);
            if (!IsTrue(values[axis].Value))
            {
                continue;
            }

            int partner = FindPartner(plan, values, axis);
            if (partner < 0 || runs[c].Count == 0 || runs[partner].Count == 0)
            {
                continue;
            }

            var others = new JsonObject();
            for (int a = 0; a < values.Count; a++)
            {
                if (a != axis)
                {
                    others[values[a].Key] = values[a].Value;
                }
            }

            var metrics = new JsonObject();
            foreach (var (name, strict) in means[c])
            {
                double nonStrict = means[partner][name];
                metrics[name] = nonStrict == 0 ? null : strict / nonStrict;
            }

            ratios.Add(new JsonObject { ["values"] = others, ["metrics"] = metrics });
        }

        return ratios;
    }

    private static int FindPartner(SweepPlan plan, IReadOnlyList<KeyValuePair<string, string>> values, int axis)
    {
        for (int c = 0; c < plan.Combinations; c++)
        {
            var other = plan.ValuesOf(c);
            bool same = !IsTrue(other[axis].Value) && bool.TryParse(other[axis].Value, out _);
            for (int a = 0; same && a < values.Count; a++)
            {
                same = a == axis || string.Equals(values[a].Value, other[a].Value, StringComparison.OrdinalIgnoreCase);
            }

            if (same)
            {
                return c;
            }
        }

        return -1;
    }

    private static bool IsTrue(string value) => bool.TryParse(value, out bool b) && b;

    public static JsonObject Values(IReadOnlyList<KeyValuePair<string, string>> values)
    {
        var obj = new JsonObject();
        foreach (var (k, v) in values)
        {
            obj[k] = v;
        }

        return obj;
    }
}
