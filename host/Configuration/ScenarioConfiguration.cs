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

    public static IConfigurationRoot Load(ScenarioSources sources)
    {
        var merged = new Dictionary<string, string?>(StringComparer.OrdinalIgnoreCase);
        string hostFile = Path.GetFullPath(Path.Combine(sources.HostDirectory, FileName));
        string cwdFile = Path.GetFullPath(Path.Combine(sources.CurrentDirectory, FileName));
        if (File.Exists(hostFile))
        {
            MergeFile(merged, hostFile);
        }

        if (File.Exists(cwdFile) && !string.Equals(cwdFile, hostFile, StringComparison.Ordinal))
        {
            MergeFile(merged, cwdFile);
        }

        if (sources.ConfigFile is not null)
        {
            string path = Path.GetFullPath(sources.ConfigFile, sources.CurrentDirectory);
            if (!File.Exists(path))
            {
                throw new EmuConfigurationException($"--config: file not found: {sources.ConfigFile}");
            }

            MergeFile(merged, path);
        }

        var environment = new ConfigurationBuilder().AddEnvironmentVariables(EnvironmentPrefix).Build();
        Merge(merged, Flatten(environment), replaceArrays: false);
        Merge(merged, ParseSets(sources.Sets), replaceArrays: false);
        return new ConfigurationBuilder().AddInMemoryCollection(merged).Build();
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

    private static void MergeFile(Dictionary<string, string?> merged, string path)
    {
        IConfigurationRoot file;
        try
        {
            file = new ConfigurationBuilder().AddJsonFile(path, optional: false, reloadOnChange: false).Build();
        }
        catch (Exception ex) when (ex is InvalidDataException or FormatException or IOException or UnauthorizedAccessException)
        {
            string detail = ex.InnerException?.Message ?? ex.Message;
            throw new EmuConfigurationException($"{path}: not a valid JSON configuration: {detail}");
        }

        Merge(merged, Flatten(file), replaceArrays: true);
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
        }

        foreach (var (key, value) in layer)
        {
            merged[key] = value;
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
