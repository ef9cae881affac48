using Emu.Core.Building;
using Emu.Host.Configuration;
using Emu.Host.Plugins;
using Microsoft.Extensions.Configuration;

namespace Emu.Host.Cli;

/// <summary>A command line's scenario: its layered configuration, the plugins it loads and the builder over both.</summary>
internal sealed class ScenarioSession
{
    private ScenarioSession(IConfiguration configuration, IReadOnlyList<LoadedPlugin> plugins)
    {
        Configuration = configuration;
        Plugins = plugins;
    }

    public IConfiguration Configuration { get; }

    public IReadOnlyList<LoadedPlugin> Plugins { get; }

    /// <summary>Reads the configuration layers and loads the plugins; throws EmuConfigurationException on bad input.</summary>
    public static ScenarioSession Open(HostEnvironment env, string? configFile, IReadOnlyList<string> sets)
    {
        var configuration = ScenarioConfiguration.Load(new ScenarioSources(env.HostDirectory, env.CurrentDirectory, configFile, sets));
        var options = PluginOptions.Read(configuration);
        var directories = PluginCatalog.Directories(env.HostDirectory, env.CurrentDirectory, options);
        return new ScenarioSession(configuration, PluginCatalog.Load(directories, options.Disabled));
    }

    public EmuBuilder CreateBuilder()
    {
        var builder = new EmuBuilder().UseConfiguration(Configuration);
        foreach (var plugin in Plugins)
        {
            builder.AddPlugin(plugin.Plugin);
        }

        return builder;
    }
}
