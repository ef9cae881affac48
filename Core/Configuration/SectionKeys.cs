using System.Globalization;
using Microsoft.Extensions.Configuration;

namespace Emu.Core.Configuration;

/// <summary>
/// Reads a plugin's own configuration section (a workload's, a scheduling policy's) key by key, with defaults
/// and range checks; errors name the full key. Call <see cref="RejectUnknown"/> last to catch typos.
/// </summary>
public sealed class SectionKeys
{
    private readonly IConfigurationSection _section;
    private readonly HashSet<string> _known = new(StringComparer.OrdinalIgnoreCase);

    /// <param name="section">The section to read.</param>
    /// <param name="alsoKnown">Keys read by someone else (a workload's Kind) that are not typos.</param>
    public SectionKeys(IConfigurationSection section, params string[] alsoKnown)
    {
        _section = section ?? throw new ArgumentNullException(nameof(section));
        _known.UnionWith(alsoKnown ?? Array.Empty<string>());
    }

    public List<string> Errors { get; } = new();

    public long Long(string key, long defaultValue, long min, long max)
    {
        _known.Add(key);
        string? raw = _section[key];
        if (raw is null)
        {
            return defaultValue;
        }

        if (!long.TryParse(raw, NumberStyles.Integer, CultureInfo.InvariantCulture, out long v))
        {
            Errors.Add($"{_section.Path}:{key}: '{raw}' is not a whole number");
            return defaultValue;
        }

        if (v < min || v > max)
        {
            Errors.Add($"{_section.Path}:{key}: must be between {min} and {max}");
        }

        return v;
    }

    public double Double(string key, double defaultValue, double min, double max)
    {
        _known.Add(key);
        string? raw = _section[key];
        if (raw is null)
        {
            return defaultValue;
        }

        if (!double.TryParse(raw, NumberStyles.Float, CultureInfo.InvariantCulture, out double v) || double.IsNaN(v))
        {
            Errors.Add($"{_section.Path}:{key}: '{raw}' is not a number");
            return defaultValue;
        }

        if (v < min || v > max)
        {
            Errors.Add($"{_section.Path}:{key}: must be between {min.ToString(CultureInfo.InvariantCulture)} and {max.ToString(CultureInfo.InvariantCulture)}");
        }

        return v;
    }

    public bool Bool(string key, bool defaultValue)
    {
        _known.Add(key);
        string? raw = _section[key];
        if (raw is null)
        {
            return defaultValue;
        }

        if (!bool.TryParse(raw, out bool v))
        {
            Errors.Add($"{_section.Path}:{key}: '{raw}' is not true or false");
            return defaultValue;
        }

        return v;
    }

    public T Enum<T>(string key, T defaultValue)
        where T : struct, System.Enum
    {
        _known.Add(key);
        string? raw = _section[key];
        if (raw is null)
        {
            return defaultValue;
        }

        if (!System.Enum.TryParse(raw, ignoreCase: true, out T v) || !System.Enum.IsDefined(v))
        {
            Errors.Add($"{_section.Path}:{key}: unknown value '{raw}' (known: {string.Join(", ", System.Enum.GetNames<T>())})");
            return defaultValue;
        }

        return v;
    }

    /// <summary>Call after reading every key: flags keys nobody reads (typos), listing the known ones.</summary>
    public void RejectUnknown()
    {
        foreach (var child in _section.GetChildren())
        {
            if (!_known.Contains(child.Key))
            {
                Errors.Add($"{_section.Path}:{child.Key}: unknown key (known: {string.Join(", ", _known.Order(StringComparer.Ordinal))})");
            }
        }
    }
}
