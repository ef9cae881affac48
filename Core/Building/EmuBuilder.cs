using Emu.Core.Configuration;
using Emu.Core.Contracts;
using Emu.Core.Engine;
using Emu.Core.Machine;
using Emu.Core.Workloads;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Options;

namespace Emu.Core.Building;

/// <summary>
/// Builds a simulation from configuration and plugins, without the host: what a larger emulator embeds.
/// Each <see cref="Build"/> makes one dependency-injection container for the run, lets every plugin register
/// into it, validates everything, and returns a <see cref="Simulation"/> to run or step.
/// </summary>
public sealed class EmuBuilder
{
    private readonly List<IEmuPlugin> _plugins = new();
    private readonly List<ITraceSink> _traceSinks = new();
    private readonly List<Action<IServiceCollection>> _services = new();
    private readonly Dictionary<string, string?> _overrides = new(StringComparer.OrdinalIgnoreCase);
    private IConfiguration? _configuration;

    /// <summary>The scenario; later <see cref="Set"/> calls override it.</summary>
    public EmuBuilder UseConfiguration(IConfiguration configuration)
    {
        _configuration = configuration;
        return this;
    }

    /// <summary>Overrides one key (<c>Section:Key</c>), as <c>--set</c> does.</summary>
    public EmuBuilder Set(string key, string? value)
    {
        _overrides[key] = value;
        return this;
    }

    public EmuBuilder AddPlugin(IEmuPlugin plugin)
    {
        ArgumentNullException.ThrowIfNull(plugin);
        _plugins.Add(plugin);
        return this;
    }

    public EmuBuilder AddPlugin<TPlugin>()
        where TPlugin : IEmuPlugin, new() => AddPlugin(new TPlugin());

    public EmuBuilder AddTraceSink(ITraceSink sink)
    {
        ArgumentNullException.ThrowIfNull(sink);
        _traceSinks.Add(sink);
        return this;
    }

    /// <summary>Registers services directly (a workload factory of the embedding program, say).</summary>
    public EmuBuilder ConfigureServices(Action<IServiceCollection> configure)
    {
        ArgumentNullException.ThrowIfNull(configure);
        _services.Add(configure);
        return this;
    }

    public IReadOnlyList<IEmuPlugin> Plugins => _plugins;

    /// <summary>The configuration the simulation will see: the scenario with every override applied.</summary>
    public IConfiguration EffectiveConfiguration()
    {
        var cb = new ConfigurationBuilder();
        if (_configuration is not null)
        {
            cb.AddConfiguration(_configuration);
        }

        cb.AddInMemoryCollection(_overrides);
        return cb.Build();
    }

    /// <summary>Every problem with the scenario and plugins, without running anything.</summary>
    public IReadOnlyList<string> Validate()
    {
        try
        {
            using var prepared = Prepare();
            return Array.Empty<string>();
        }
        catch (EmuConfigurationException ex)
        {
            return ex.Errors;
        }
    }

    /// <summary>Builds the simulation; throws <see cref="EmuConfigurationException"/> listing every problem.</summary>
    public Simulation Build()
    {
        var p = Prepare();
        try
        {
            var engine = new Simulator();
            var setup = new MachineSetup(
                p.Configuration, p.Options.Simulation, p.Options.Topology!, p.Options.Vms, p.Options.Scheduler, p.Options.HostTasks,
                p.Options.Costs, p.SchedulerFactory.Create(), p.InterruptVirtualization, p.Hooks, p.Workloads,
                _traceSinks.Concat(p.Provider.GetServices<ITraceSink>()).ToList(), p.Nested, p.FallbackFactory?.Create());
            var machine = new Machine.Machine(engine, setup);
            p.Nested?.Initialize(machine);
            return new Simulation(engine, machine, p, ResultsConfig(p.Configuration));
        }
        catch (OptionsValidationException ex)
        {
            p.Dispose();
            throw new EmuConfigurationException(ex.Failures.ToList());
        }
    }

    private static System.Text.Json.Nodes.JsonNode ResultsConfig(IConfiguration c) => Results.ResultJson.ConfigurationToJson(c);

    private Prepared Prepare()
    {
        var config = EffectiveConfiguration();
        var errors = new List<string>();
        var options = ScenarioBinder.Bind(config, errors);
        var services = new ServiceCollection();
        services.AddSingleton(config);
        services.AddSingleton(Options.Create(options.Simulation));
        services.AddSingleton(Options.Create(options.CostsOptions));
        services.AddSingleton(options.Costs);
        foreach (var plugin in _plugins)
        {
            try
            {
                plugin.ConfigureServices(services, config);
            }
            catch (Exception ex) when (ex is not EmuConfigurationException)
            {
                throw new EmuConfigurationException($"plugin '{plugin.Name}' failed while registering its services: {ex.GetType().Name}: {ex.Message}");
            }
        }

        foreach (var configure in _services)
        {
            configure(services);
        }

        var provider = services.BuildServiceProvider();
        try
        {
            var policies = ResolveAll<ISchedulerFactory>(provider, errors).Select(f => f.Name);
            ScenarioBinder.RejectUnknownKeys(config, provider.GetServices<ConfigSectionKeys>().ToList(), policies, errors);
            var workloads = BuiltInWorkloads.All.Concat(provider.GetServices<IWorkloadFactory>()).ToList();
            ValidateWorkloads(config, options, workloads, errors);
            var (schedulerFactory, fallbackFactory) = ResolveScheduler(provider, options, errors);
            var nested = Resolve<INestedInterruptVirtualization>(provider, errors);
            ValidateNested(config, options, nested, workloads, errors);
            var iv = Resolve<IInterruptVirtualization>(provider, errors);
            var hooks = ResolveAll<IVcpuLifecycleHooks>(provider, errors);
            if (errors.Count > 0)
            {
                throw new EmuConfigurationException(errors);
            }

            return new Prepared(config, provider, options, schedulerFactory!, fallbackFactory, iv, hooks, workloads, nested);
        }
        catch
        {
            provider.Dispose();
            throw;
        }
    }

    private static void ValidateWorkloads(IConfiguration config, ScenarioOptions options, List<IWorkloadFactory> workloads, List<string> errors)
    {
        for (int i = 0; i < options.Vms.Count; i++)
        {
            var section = config.GetSection($"Vms:{i}:Workload");
            string kind = options.Vms[i].Workload.Kind;
            var factory = workloads.FirstOrDefault(f => string.Equals(f.Kind, kind, StringComparison.OrdinalIgnoreCase));
            if (factory is null)
            {
                errors.Add($"Vms:{i}:Workload:Kind: unknown workload '{kind}' (known: {string.Join(", ", workloads.Select(w => w.Kind))})");
                continue;
            }

            errors.AddRange(factory.Validate(section, options.Vms[i].Vcpus));
        }
    }

    private static (ISchedulerFactory? Policy, ISchedulerFactory? Fallback) ResolveScheduler(ServiceProvider provider, ScenarioOptions options, List<string> errors)
    {
        var factories = ResolveAll<ISchedulerFactory>(provider, errors);
        var config = provider.GetRequiredService<IConfiguration>();
        foreach (var f in factories)
        {
            var own = config.GetSection($"{SchedulerOptions.Section}:{f.Name}");
            if (own.Exists())
            {
                errors.AddRange(f.ValidateOptions(own));
            }
        }

        var policy = Find(factories, options.Scheduler.Policy, "Scheduler:Policy", errors);
        ISchedulerFactory? fallback = null;
        if (!string.IsNullOrEmpty(options.Scheduler.WatchdogFallback))
        {
            fallback = Find(factories, options.Scheduler.WatchdogFallback, "Scheduler:WatchdogFallback", errors);
            if (fallback is not null && ReferenceEquals(fallback, policy))
            {
                errors.Add($"Scheduler:WatchdogFallback: '{fallback.Name}' is the policy the watchdog would eject; name another one");
            }

            if (options.Scheduler.WatchdogUs == 0)
            {
                errors.Add("Scheduler:WatchdogFallback: needs the watchdog on (Scheduler:WatchdogUs > 0)");
            }
        }

        if (options.Topology is not null)
        {
            int hostTasks = options.HostTasks.PerCpu * options.Topology.Count;
            foreach (var f in new[] { policy, fallback })
            {
                if (f is not null)
                {
                    var section = config.GetSection($"{SchedulerOptions.Section}:{f.Name}");
                    errors.AddRange(f.Validate(new SchedulerValidationContext(options.Topology, options.Vms.Sum(v => v.Vcpus), hostTasks, section)));
                }
            }
        }

        return (policy, fallback);
    }

    private static ISchedulerFactory? Find(List<ISchedulerFactory> factories, string name, string key, List<string> errors)
    {
        var factory = factories.FirstOrDefault(f => string.Equals(f.Name, name, StringComparison.OrdinalIgnoreCase));
        if (factory is null)
        {
            string known = factories.Count == 0 ? "none: no scheduler plugin is loaded" : string.Join(", ", factories.Select(f => f.Name));
            errors.Add($"{key}: unknown policy '{name}' (known: {known})");
        }

        return factory;
    }

    private static void ValidateNested(
        IConfiguration config, ScenarioOptions options, INestedInterruptVirtualization? nested, List<IWorkloadFactory> workloads, List<string> errors)
    {
        for (int i = 0; i < options.Vms.Count; i++)
        {
            var section = config.GetSection($"Vms:{i}:Nested");
            if (nested is not null && section.GetChildren().Any())
            {
                errors.AddRange(nested.Validate(section, options.Vms[i].Vcpus, workloads));
            }

            if (nested is null && section.GetChildren().Any())
            {
                errors.Add($"Vms:{i}:Nested: VM '{options.Vms[i].Name}' runs a nested guest, which needs a plugin providing nested AVIC (INestedInterruptVirtualization); none is registered");
            }
        }
    }

    private static T? Resolve<T>(ServiceProvider provider, List<string> errors)
        where T : class
    {
        try
        {
            return provider.GetService<T>();
        }
        catch (OptionsValidationException ex)
        {
            errors.AddRange(ex.Failures);
            return null;
        }
    }

    private static List<T> ResolveAll<T>(ServiceProvider provider, List<string> errors)
    {
        try
        {
            return provider.GetServices<T>().ToList();
        }
        catch (OptionsValidationException ex)
        {
            errors.AddRange(ex.Failures);
            return new List<T>();
        }
    }
}

/// <summary>A validated scenario with its container and resolved plugin services.</summary>
internal sealed record Prepared(
    IConfiguration Configuration,
    ServiceProvider Provider,
    ScenarioOptions Options,
    ISchedulerFactory SchedulerFactory,
    ISchedulerFactory? FallbackFactory,
    IInterruptVirtualization? InterruptVirtualization,
    List<IVcpuLifecycleHooks> Hooks,
    List<IWorkloadFactory> Workloads,
    INestedInterruptVirtualization? Nested) : IDisposable
{
    public void Dispose() => Provider.Dispose();
}
