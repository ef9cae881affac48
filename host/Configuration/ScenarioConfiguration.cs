using System.Globalization;
using Emu.Core.Configuration;
using Microsoft.Extensions.Configuration;

namespace Emu.Host.Configuration;

/// <summary>
/// Layers the scenario: appsettings.json beside the host, appsettings.json in the working folder,
/// --config FILE, EMU_ environment variables (<c>EMU_Svm__AvicDoorbellStrict=false</c>), then --set.
/// Environment variables sit below --set so that what is typed on the command line always wins.
/// A JSON file that defines an array (Vms, Plugins:Directories) replaces the earlier array instead of
/// merging into it element by element, so a one-VM --config never inherits a second VM from appsettings.
/// </summary>
internal static class ScenarioConfiguration
{
    public const string FileName = "appsettings.json";
    public const string EnvironmentPrefix = "EMU_";

    public static IConfigurationRoot Load(ScenarioSources sources) => Load(sources, out _);

    /// <summary>Loads the layers; <paramref name="origins"/> says where each key's value came from (file and line, EMU_ variable, --set).</summary>
    public static IConfigurationRoot Load(ScenarioSources sources, out IReadOnlyDictionary<string, string> origins)
    {
        var merged = new Dictionary<string, string?>(StringComparer.OrdinalIgnoreCase);
        var from = new Dictionary<string, string>(StringComparer.OrdinalIgnoreCase);
        origins = from;
        string hostFile = Path.GetFullPath(Path.Combine(sources.HostDirectory, FileName));
        string cwdFile = Path.GetFullPath(Path.Combine(sources.CurrentDirectory, FileName));
        if (File.Exists(hostFile))
        {
            MergeFile(merged, from, hostFile);
        }

        if (File.Exists(cwdFile) && !string.Equals(cwdFile, hostFile, StringComparison.Ordinal))
        {
            MergeFile(merged, from, cwdFile);
        }

        if (sources.ConfigFile is not null)
        {
            string path = Path.GetFullPath(sources.ConfigFile, sources.CurrentDirectory);
            if (!File.Exists(path))
            {
                throw new EmuConfigurationException($"--config: file not found: {sources.ConfigFile}");
            }

            MergeFile(merged, from, path);
        }

        var environment = Flatten(new ConfigurationBuilder().AddEnvironmentVariables(EnvironmentPrefix).Build());
        CheckTyped(environment, key => EnvironmentPrefix + key.Replace(":", "__", StringComparison.Ordinal));
        FilePathKeys.Resolve(environment, sources.CurrentDirectory);
        Merge(merged, environment, replaceArrays: false);
        foreach (string key in environment.Keys)
        {
            from[key] = EnvironmentPrefix + key.Replace(":", "__", StringComparison.Ordinal);
        }

        var sets = ParseSets(sources.Sets);
        CheckTyped(sets, key => $"--set {key}=");
        FilePathKeys.Resolve(sets, sources.CurrentDirectory);
        Merge(merged, sets, replaceArrays: false);
        foreach (string key in sets.Keys)
        {
            from[key] = "--set";
        }

        // A key a later layer removed (an array replaced, a Kind changed) came from nowhere any more.
        foreach (string key in from.Keys.ToList())
        {
            if (!merged.ContainsKey(key))
            {
                from.Remove(key);
            }
        }

        return new ConfigurationBuilder().AddInMemoryCollection(merged).Build();
    }

    /// <summary>Values typed in a variable or on the command line: an empty one or a whole section given a value is a mistake, not a default.</summary>
    private static void CheckTyped(Dictionary<string, string?> layer, Func<string, string> source)
    {
        var errors = new List<string>();
        var keys = new string[layer.Count];
        layer.Keys.CopyTo(keys, 0);
        Array.Sort(keys, StringComparer.Ordinal);
        foreach (string key in keys)
        {
            string? value = layer[key];
            if (!key.Contains(':', StringComparison.Ordinal))
            {
                errors.Add($"{key}: is a section; give one of its keys ({source(key)}: use {key}:Key=value)");
            }
            else if (string.IsNullOrEmpty(value))
            {
                errors.Add($"{key}: empty value (from {source(key)}); give a value, or leave the key out for its default");
            }
        }

        if (errors.Count > 0)
        {
            throw new EmuConfigurationException(errors);
        }
    }

    /// <summary>Parses --set Section:Key=value arguments; a malformed one names itself.</summary>
    public static Dictionary<string, string?> ParseSets(IReadOnlyList<string> sets)
    {
        var result = new Dictionary<string, string?>(StringComparer.OrdinalIgnoreCase);
        var errors = new List<string>();
        foreach (string set in sets)
        {
            int eq = set.IndexOf('=', StringComparison.Ordinal);
            string key = eq > 0 ? set[..eq].Trim() : string.Empty;
            if (key.Length == 0 || key.StartsWith(':') || key.EndsWith(':') || key.Contains("::", StringComparison.Ordinal))
            {
                errors.Add($"--set '{set}': expected Section:Key=value");
                continue;
            }

            result[key] = set[(eq + 1)..];
        }

        if (errors.Count > 0)
        {
            throw new EmuConfigurationException(errors);
        }

        return result;
    }

    private static void MergeFile(Dictionary<string, string?> merged, Dictionary<string, string> origins, string path)
    {
        var file = JsonLayer.Read(path);
        FilePathKeys.Resolve(file.Values, Path.GetDirectoryName(path)!);
        foreach (string array in file.Empty)
        {
            RemoveArray(merged, array); // "Vms": [] replaces the VMs below it (and is then refused: a run needs one)
        }

        Merge(merged, file.Values, replaceArrays: true);
        foreach (var (key, origin) in file.Origins)
        {
            origins[key] = origin;
        }
    }

    private static Dictionary<string, string?> Flatten(IConfiguration configuration)
    {
        var values = new Dictionary<string, string?>(StringComparer.OrdinalIgnoreCase);
        foreach (var (key, value) in configuration.AsEnumerable())
        {
            // Sections come with a null value; an empty JSON array or object comes as an empty string.
            if (value is not null)
            {
                values[key] = value;
            }
        }

        return values;
    }

    private static void Merge(Dictionary<string, string?> merged, Dictionary<string, string?> layer, bool replaceArrays)
    {
        if (replaceArrays)
        {
            foreach (string array in ArrayPaths(layer.Keys))
            {
                RemoveArray(merged, array);
            }
        }

        // A layer that changes a Kind (a VM's workload, say) replaces the section: the old kind's keys would be unknown to the new one.
        foreach (var (key, value) in layer)
        {
            if (key.EndsWith(":Kind", StringComparison.OrdinalIgnoreCase)
                && merged.TryGetValue(key, out string? old) && !string.Equals(old, value, StringComparison.OrdinalIgnoreCase))
            {
                string section = key[..^":Kind".Length] + ":";
                foreach (string stale in merged.Keys.Where(k => k.StartsWith(section, StringComparison.OrdinalIgnoreCase)).ToList())
                {
                    merged.Remove(stale);
                }
            }
        }

        foreach (var (key, value) in layer)
        {
            merged[key] = value;
        }
    }

    private static void RemoveArray(Dictionary<string, string?> merged, string array)
    {
        string prefix = array + ":";
        foreach (string key in merged.Keys.ToList())
        {
            if (string.Equals(key, array, StringComparison.OrdinalIgnoreCase)
                || (key.StartsWith(prefix, StringComparison.OrdinalIgnoreCase) && IsIndex(key.AsSpan(prefix.Length))))
            {
                merged.Remove(key);
            }
        }
    }

    /// <summary>The paths of the arrays a layer defines: "Vms" for "Vms:0:Name", and so on.</summary>
    private static HashSet<string> ArrayPaths(IEnumerable<string> keys)
    {
        var arrays = new HashSet<string>(StringComparer.OrdinalIgnoreCase);
        foreach (string key in keys)
        {
            string[] parts = key.Split(':');
            for (int i = 1; i < parts.Length; i++)
            {
                if (IsIndex(parts[i]))
                {
                    arrays.Add(string.Join(':', parts, 0, i));
                }
            }
        }

        return arrays;
    }

    private static bool IsIndex(ReadOnlySpan<char> segment)
    {
        int colon = segment.IndexOf(':');
        var head = colon < 0 ? segment : segment[..colon];
        return head.Length > 0 && int.TryParse(head, NumberStyles.None, CultureInfo.InvariantCulture, out _);
    }
}
