using Emu.Core.Configuration;

namespace Emu.Host.Sweeps;

/// <summary>One varied key and its values, from <c>--vary Section:Key=v1,v2,...</c>.</summary>
internal sealed record SweepAxis(string Key, IReadOnlyList<string> Values)
{
    public static SweepAxis Parse(string text)
    {
        int eq = text.IndexOf('=', StringComparison.Ordinal);
        string key = eq > 0 ? text[..eq].Trim() : string.Empty;
        string[] values = eq > 0 ? text[(eq + 1)..].Split(',', StringSplitOptions.TrimEntries) : Array.Empty<string>();
        if (key.Length == 0 || key.StartsWith(':') || key.EndsWith(':') || values.Length == 0 || values.Any(v => v.Length == 0))
        {
            throw new EmuConfigurationException($"--vary '{text}': expected Section:Key=value1,value2,...");
        }

        if (values.Distinct(StringComparer.OrdinalIgnoreCase).Count() != values.Length)
        {
            throw new EmuConfigurationException($"--vary '{text}': a value appears twice");
        }

        if (string.Equals(key, "Simulation:Seed", StringComparison.OrdinalIgnoreCase))
        {
            throw new EmuConfigurationException($"--vary '{text}': seeds come from --replications (derived from Simulation:Seed), not from --vary");
        }

        return new SweepAxis(key, values);
    }
}
