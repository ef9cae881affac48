using Emu.Core.Contracts;
using Emu.Core.Machine;
using Microsoft.Extensions.Configuration;

namespace Emu.Core.Building;

/// <summary>Binds each VM's workload section, and each decorator's VM section, once.</summary>
internal static class WorkloadBinding
{
    /// <summary>One bound workload per VM (in VM order), or errors naming <c>Vms:i:Workload...</c>.</summary>
    public static List<IWorkloadSettings> BindWorkloads(IConfiguration config, ScenarioOptions options, List<IWorkloadFactory> factories, List<string> errors)
    {
        var bound = new List<IWorkloadSettings>(options.Vms.Count);
        for (int i = 0; i < options.Vms.Count; i++)
        {
            string kind = options.Vms[i].Workload.Kind;
            var factory = factories.FirstOrDefault(f => string.Equals(f.Kind, kind, StringComparison.OrdinalIgnoreCase));
            if (factory is null)
            {
                errors.Add($"Vms:{i}:Workload:Kind: unknown workload '{kind}' (known: {string.Join(", ", factories.Select(w => w.Kind))})");
                continue;
            }

            if (factory.Bind(config.GetSection($"Vms:{i}:Workload"), options.Vms[i].Vcpus, errors) is { } settings)
            {
                bound.Add(settings);
            }
        }

        return bound;
    }

    /// <summary>The decorators' layers of every VM that has their key, in VM then registration order.</summary>
    public static List<BoundLayer> BindLayers(
        IConfiguration config, ScenarioOptions options, List<IWorkloadDecorator> decorators, List<IWorkloadFactory> factories, List<string> errors)
    {
        var layers = new List<BoundLayer>();
        for (int i = 0; i < options.Vms.Count; i++)
        {
            foreach (var decorator in decorators)
            {
                var section = config.GetSection($"Vms:{i}:{decorator.VmKey}");
                if (section.GetChildren().Any() && decorator.Bind(section, options.Vms[i].Vcpus, factories, errors) is { } layer)
                {
                    layers.Add(new BoundLayer(i, layer));
                }
            }
        }

        return layers;
    }
}
