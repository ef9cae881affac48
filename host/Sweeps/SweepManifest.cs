using System.Globalization;
using System.Text.Json;
using System.Text.Json.Nodes;
using Emu.Core.Configuration;

namespace Emu.Host.Sweeps;

/// <summary>
/// sweep.json: what a sweep (or one shard of it) ran: the axes, replications, base seed, shard and base
/// configuration. `emu merge` only combines outputs whose manifests agree on all but the shard.
/// </summary>
internal sealed record SweepManifest(SweepPlan Plan, ShardSpec Shard, JsonNode BaseConfig)
{
    public const string FileName = "sweep.json";

    public JsonObject ToJson() => new()
    {
        ["schemaVersion"] = 1,
        ["axes"] = SweepAggregate.Axes(Plan),
        ["replications"] = Plan.Replications,
        ["baseSeed"] = Plan.BaseSeed,
        ["points"] = Plan.PointCount,
        ["shard"] = Shard.ToString(),
        ["config"] = BaseConfig.DeepClone(),
        ["configSha256"] = Hash(BaseConfig.ToJsonString()),
    };

    public static string Hash(string text) => Convert.ToHexStringLower(System.Security.Cryptography.SHA256.HashData(System.Text.Encoding.UTF8.GetBytes(text)));

    /// <summary>The manifest without its shard: equal for every shard of one sweep.</summary>
    public string Identity()
    {
        var json = ToJson();
        json.Remove("shard");
        return json.ToJsonString();
    }

    /// <summary>The configuration's hash, as sweep.json records it (for messages).</summary>
    public string ConfigHash => Hash(BaseConfig.ToJsonString())[..12];

    public static SweepManifest Read(string dir)
    {
        string path = Path.Combine(dir, FileName);
        if (!File.Exists(path))
        {
            throw new EmuConfigurationException($"{dir}: not a sweep output ({FileName} is missing)");
        }

        return Parse(File.ReadAllText(path), path);
    }

    /// <summary>
    /// Whether <paramref name="other"/> (read from a folder) is this sweep, shard included. This manifest goes
    /// through the same text round trip first, so that both sides compare as sweep.json would hold them.
    /// </summary>
    public bool SameSweep(SweepManifest other) =>
        Parse(ToJson().ToJsonString(), FileName).ToJson().ToJsonString() == other.ToJson().ToJsonString();

    /// <summary>Why <paramref name="other"/> is not this sweep, for a one-line message.</summary>
    public string Difference(SweepManifest other)
    {
        var self = Parse(ToJson().ToJsonString(), FileName);
        if (self.ConfigHash != other.ConfigHash)
        {
            return $"its configuration hash is {other.ConfigHash}, this one's {self.ConfigHash}";
        }

        return self.Shard != other.Shard ? $"it is shard {other.Shard}, this is shard {self.Shard}" : "axes, replications or seed differ";
    }

    private static SweepManifest Parse(string text, string path)
    {
        try
        {
            var json = JsonNode.Parse(text)!.AsObject();
            var axes = json["axes"]!.AsArray()
                .Select(a => new SweepAxis((string)a!["key"]!, a["values"]!.AsArray().Select(v => (string)v!).ToList()))
                .ToList();
            var plan = new SweepPlan(axes, (int)json["replications"]!, (long)json["baseSeed"]!);
            var shard = ShardSpec.Parse((string)json["shard"]!);
            return new SweepManifest(plan, shard, json["config"]!.DeepClone());
        }
        catch (Exception ex) when (ex is JsonException or InvalidOperationException or NullReferenceException or FormatException or EmuConfigurationException)
        {
            throw new EmuConfigurationException($"{path}: not a valid sweep manifest: {ex.Message}");
        }
    }

    public static string PointFile(string dir, int index) =>
        Path.Combine(dir, "points", index.ToString("D6", CultureInfo.InvariantCulture) + ".json");
}
