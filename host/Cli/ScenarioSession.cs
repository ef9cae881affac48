using Emu.Core.Building;
using Emu.Core.Configuration;
using Emu.Core.Contracts;
using Emu.Host.Configuration;
using Emu.Host.Plugins;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;

namespace Emu.Host.Cli;

/// <summary>A command line's scenario: its layered configuration, the plugins it loads and the builder over both.</summary>
internal sealed class ScenarioSession
{
    private readonly IReadOnlyList<string> _disabled;
    private readonly IReadOnlyDictionary<string, string> _origins;

    private ScenarioSession(IConfiguration configuration, IReadOnlyList<LoadedPlugin> plugins, IReadOnlyList<string> disabled, IReadOnlyDictionary<string, string> origins)
    {
        Configuration = configuration;
        Plugins = plugins;
        _disabled = disabled;
        _origins = origins;
    }

    public IConfiguration Configuration { get; }

    public IReadOnlyList<LoadedPlugin> Plugins { get; }

    /// <summary>Reads the configuration layers and loads the plugins; throws EmuConfigurationException on bad input.</summary>
    public static ScenarioSession Open(HostEnvironment env, string? configFile, IReadOnlyList<string> sets)
    {
        var configuration = ScenarioConfiguration.Load(new ScenarioSources(env.HostDirectory, env.CurrentDirectory, configFile, sets), out var origins);
        var options = PluginOptions.Read(configuration);
        var directories = PluginCatalog.Directories(env.HostDirectory, env.CurrentDirectory, options);
        return new ScenarioSession(configuration, PluginCatalog.Load(directories, options.Disabled, options.Pins), options.Disabled, origins);
    }

    /// <summary>
    /// Names the layer each problem's key came from: "Simulation:DurationUs: must be ... (from --set)", "(from
    /// scenario.json line 4)", "(from EMU_Simulation__DurationUs)". A key set by no layer (a default) is left as it is.
    /// </summary>
    public IEnumerable<string> WithOrigins(IEnumerable<string> errors)
    {
        foreach (string error in errors)
        {
            int colon = error.IndexOf(": ", StringComparison.Ordinal);
            string key = colon > 0 ? error[..colon] : string.Empty;
            yield return OriginOf(key) is { } origin ? $"{error} (from {origin})" : error;
        }
    }

    private string? OriginOf(string key)
    {
        if (key.Length == 0 || key.Contains(' ', StringComparison.Ordinal))
        {
            return null;
        }

        if (_origins.TryGetValue(key, out string? origin))
        {
            return origin;
        }

        // A section's problem (Vms:0:Devices:0:Vcpus): where its first key came from.
        string prefix = key + ":";
        return _origins.Where(p => p.Key.StartsWith(prefix, StringComparison.OrdinalIgnoreCase)).OrderBy(p => p.Key, StringComparer.Ordinal).Select(p => p.Value).FirstOrDefault();
    }

    /// <summary>Builds the simulation; a key only a disabled plugin reads is reported with that hint.</summary>
    public Simulation Build(EmuBuilder? builder = null)
    {
        try
        {
            return (builder ?? CreateBuilder()).Build();
        }
        catch (EmuConfigurationException ex)
        {
            // A Logging section (as ASP.NET templates have) would be silently ignored: Emu does not log that way.
            var errors = WithOrigins(ex.Errors)
                .Select(e => e.StartsWith("Logging: unknown section", StringComparison.Ordinal)
                    ? "Logging: Emu has no Microsoft.Extensions.Logging output to configure; remove the section (status goes to stderr, -v|--verbosity sets how much)"
                    : e)
                .ToList();
            if (_disabled.Count > 0 && ex.Errors.Any(e => e.Contains("unknown key", StringComparison.Ordinal) || e.Contains("unknown section", StringComparison.Ordinal)))
            {
                errors.Add($"note: Plugins:Disabled leaves out {string.Join(", ", _disabled)}; the sections and keys such a plugin reads are unknown without it "
                    + "(to run without AVIC, keep the Svm plugin and set Svm:Avic=false)");
            }

            throw new EmuConfigurationException(errors);
        }
    }

    public EmuBuilder CreateBuilder()
    {
        var builder = new EmuBuilder().UseConfiguration(Configuration);
        foreach (var plugin in Plugins)
        {
            builder.AddPlugin(plugin.Plugin);
        }

        // The host's own sections: Core rejects a section nobody declares.
        return builder.ConfigureServices(services =>
        {
            services.AddSingleton(new ConfigSectionKeys(PluginOptions.Section, new[] { nameof(PluginOptions.Directories), nameof(PluginOptions.Disabled), nameof(PluginOptions.Pins) }));
        });
    }
}
