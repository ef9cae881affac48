using Emu.Core.Configuration;
using Emu.Core.Contracts;
using Microsoft.Extensions.Configuration;

namespace Emu.Core.Building;

/// <summary>
/// Binds the scheduling policies once: every policy whose own section (Scheduler:&lt;Name&gt;) is present, so that
/// one configuration can hold several policies' options, and the selected policy and watchdog fallback, which
/// are then checked against the machine.
/// </summary>
internal static class SchedulerBinding
{
    public static (ISchedulerSettings? Policy, ISchedulerSettings? Fallback) Bind(
        IConfiguration config, ScenarioOptions options, List<ISchedulerFactory> factories, List<string> errors)
    {
        var bound = new Dictionary<ISchedulerFactory, ISchedulerSettings?>(ReferenceEqualityComparer.Instance);
        foreach (var f in factories)
        {
            var own = config.GetSection($"{SchedulerOptions.Section}:{f.Name}");
            if (own.Exists())
            {
                bound[f] = f.Bind(own, errors);
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

        return (Settle(policy, config, options, bound, errors), Settle(fallback, config, options, bound, errors));
    }

    /// <summary>The factory's bound settings (binding its empty section if it had none), checked against the machine.</summary>
    private static ISchedulerSettings? Settle(
        ISchedulerFactory? factory, IConfiguration config, ScenarioOptions options, Dictionary<ISchedulerFactory, ISchedulerSettings?> bound, List<string> errors)
    {
        if (factory is null)
        {
            return null;
        }

        if (!bound.TryGetValue(factory, out var settings))
        {
            settings = factory.Bind(config.GetSection($"{SchedulerOptions.Section}:{factory.Name}"), errors);
            bound[factory] = settings;
        }

        if (settings is not null && options.Topology is not null)
        {
            int vcpus = options.Vms.Sum(v => v.Vcpus);
            errors.AddRange(settings.Validate(new SchedulerValidationContext(options.Topology, vcpus, options.HostTasks.PerCpu * options.Topology.Count)));
        }

        return settings;
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
}
