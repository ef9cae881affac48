using System.Text.Json.Nodes;
using Emu.Core.Results;

namespace Emu.Host.Output;

/// <summary>
/// The numeric totals of a result, flattened to dotted names in result.json's key order
/// (<c>totals.vmExits.avicIncompleteIpi.targetNotRunning</c>): the columns of sweep tables and aggregates.
/// </summary>
internal static class ResultMetrics
{
    public static List<KeyValuePair<string, double>> Totals(SimulationResult result)
    {
        // Only the totals, as result.json writes them (the same options): not the whole result again, whose vCPUs,
        // pCPUs and tasks are most of its size.
        var node = JsonNode.Parse(ResultJson.SerializeValue(result.Totals))!;
        var metrics = new List<KeyValuePair<string, double>>();
        Walk(node, "totals", metrics);
        return metrics;
    }

    private static void Walk(JsonNode node, string path, List<KeyValuePair<string, double>> metrics)
    {
        if (node is JsonObject obj)
        {
            foreach (var (key, child) in obj)
            {
                if (child is not null)
                {
                    Walk(child, path + "." + key, metrics);
                }
            }
        }
        else if (node is JsonValue value && value.TryGetValue(out double d))
        {
            metrics.Add(new(path, d));
        }
    }
}
