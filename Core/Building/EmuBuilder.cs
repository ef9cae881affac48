using Emu.Core.Configuration;
using Emu.Core.Contracts;
using Emu.Core.Model;
using Emu.Core.Engine;
using Emu.Core.Machine;
using Emu.Core.Results;
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
            var o = p.Options;
            var sinks = new List<ITraceSink>(_traceSinks);
            sinks.AddRange(p.Provider.GetServices<ITraceSink>());
            var setup = new MachineSetup(
                o.Simulation, o.Topology!, o.Vms, o.Scheduler, o.HostTasks, o.Kvm, o.Costs, p.Policy.Create(), p.Fallback?.Create(),
                p.InterruptVirtualization, p.Nested, p.Hooks, p.Workloads, p.Layers, p.ResultSections, sinks, p.Devices, p.Remapping);
            var machine = new Machine.Machine(engine, setup);
            return new Simulation(engine, machine, p, ResultJson.ConfigurationToJson(p.Configuration));
        }
        catch
        {
            p.Dispose();
            throw;
        }
    }

    /// <summary>
    /// Binds and checks everything once: Core's sections, every plugin's services, the policy and fallback, each
    /// VM's workload and the decorators' layers. Every problem is collected before any is thrown.
    /// </summary>
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
        services.AddSingleton(options.Kvm); // KVM's parameters and profile, for the rules plugins model
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
            var schedulers = ResolveAll<ISchedulerFactory>(provider, errors);
            var decorators = ResolveAll<IWorkloadDecorator>(provider, errors);
            ScenarioBinder.RejectUnknownKeys(
                config, ResolveAll<ConfigSectionKeys>(provider, errors), ResolveAll<VmConfigKeys>(provider, errors), decorators, schedulers.Select(f => f.Name), errors);
            var workloadFactories = BuiltInWorkloads.All.Concat(ResolveAll<IWorkloadFactory>(provider, errors)).ToList();
            var workloads = WorkloadBinding.BindWorkloads(config, options, workloadFactories, errors);
            var layers = WorkloadBinding.BindLayers(config, options, decorators, workloadFactories, errors);
            var (policy, fallback) = SchedulerBinding.Bind(config, options, schedulers, errors);
            var nested = Resolve<INestedInterruptVirtualization>(provider, errors);
            var iv = Resolve<IInterruptVirtualization>(provider, errors);
            var hooks = ResolveAll<IVcpuLifecycleHooks>(provider, errors);
            var sections = ResolveAll<IResultSection>(provider, errors);
            var remapping = Resolve<IPostedInterruptRemapping>(provider, errors);
            var devices = DeviceBinding.Build(options.Vms, workloads, errors);
            if (errors.Count > 0)
            {
                throw new EmuConfigurationException(errors);
            }

            return new Prepared(config, provider, options, policy!, fallback, iv, nested, hooks, workloads, layers, sections, devices, remapping, _plugins.ToList());
        }
        catch
        {
            provider.Dispose();
            throw;
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

/// <summary>A validated scenario with its container, its bound settings and resolved plugin services.</summary>
internal sealed record Prepared(
    IConfiguration Configuration,
    ServiceProvider Provider,
    ScenarioOptions Options,
    ISchedulerSettings Policy,
    ISchedulerSettings? Fallback,
    IInterruptVirtualization? InterruptVirtualization,
    INestedInterruptVirtualization? Nested,
    List<IVcpuLifecycleHooks> Hooks,
    List<IWorkloadSettings> Workloads,
    List<BoundLayer> Layers,
    List<IResultSection> ResultSections,
    List<DeviceInfo> Devices,
    IPostedInterruptRemapping? Remapping,
    List<IEmuPlugin> Plugins) : IDisposable
{
    public void Dispose() => Provider.Dispose();
}
