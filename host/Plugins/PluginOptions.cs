using Emu.Core.Configuration;
using Microsoft.Extensions.Configuration;

namespace Emu.Host.Plugins;

/// <summary>The Plugins section: extra folders to load plugins from, and plugins to leave out.</summary>
internal sealed class PluginOptions
{
    public const string Section = "Plugins";

    public List<string> Directories { get; } = new();

    public List<string> Disabled { get; } = new();

    public static PluginOptions Read(IConfiguration configuration)
    {
        var errors = new List<string>();
        var section = configuration.GetSection(Section);
        var options = new PluginOptions();
        foreach (var child in section.GetChildren())
        {
            var list = child.Key switch
            {
                nameof(Directories) => options.Directories,
                nameof(Disabled) => options.Disabled,
                _ => null,
            };
            if (list is null)
            {
                errors.Add($"{Section}:{child.Key}: unknown key (known: {nameof(Directories)}, {nameof(Disabled)})");
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
}
