using Emu.Core.Configuration;
using Microsoft.Extensions.Configuration;

namespace Emu.Host.Plugins;

/// <summary>
/// The Plugins section: extra folders to load plugins from, plugins to leave out, and pins (plugin name to the
/// SHA-256 of its assembly; a pinned plugin whose assembly differs is refused).
/// </summary>
internal sealed class PluginOptions
{
    public const string Section = "Plugins";

    public List<string> Directories { get; } = new();

    public List<string> Disabled { get; } = new();

    public Dictionary<string, string> Pins { get; } = new(StringComparer.OrdinalIgnoreCase);

    public static PluginOptions Read(IConfiguration configuration)
    {
        var errors = new List<string>();
        var section = configuration.GetSection(Section);
        var options = new PluginOptions();
        foreach (var child in section.GetChildren())
        {
            if (child.Key == nameof(Pins))
            {
                ReadPins(child, options.Pins, errors);
                continue;
            }

            var list = child.Key switch
            {
                nameof(Directories) => options.Directories,
                nameof(Disabled) => options.Disabled,
                _ => null,
            };
            if (list is null)
            {
                errors.Add($"{Section}:{child.Key}: unknown key (known: {nameof(Directories)}, {nameof(Disabled)}, {nameof(Pins)})");
                continue;
            }

            foreach (var item in child.GetChildren())
            {
                if (string.IsNullOrWhiteSpace(item.Value))
                {
                    errors.Add($"{item.Path}: expected a non-empty string");
                }
                else
                {
                    list.Add(item.Value);
                }
            }
        }

        if (errors.Count > 0)
        {
            throw new EmuConfigurationException(errors);
        }

        return options;
    }

    private static void ReadPins(IConfigurationSection pins, Dictionary<string, string> into, List<string> errors)
    {
        foreach (var pin in pins.GetChildren())
        {
            string hash = (pin.Value ?? string.Empty).Trim().ToLowerInvariant();
            if (hash.Length != 64 || !hash.All(char.IsAsciiHexDigit))
            {
                errors.Add($"{pin.Path}: expected the plugin assembly's SHA-256 as 64 hex digits (emu plugins prints it)");
                continue;
            }

            into[pin.Key] = hash;
        }
    }
}
