using Emu.Core.Configuration;
using Emu.Core.Contracts;
using Emu.Core.Topology;
using Microsoft.Extensions.Configuration;

namespace Emu.Core.Building;

/// <summary>Binds Core's sections, rejects unknown keys, and checks the cross-field rules.</summary>
internal static class ScenarioBinder
{
    /// <summary>The top-level sections Core owns; plugins and the host declare theirs (<see cref="ConfigSectionKeys"/>).</summary>
    private static readonly string[] CoreSections =
        { SimulationOptions.Section, TopologyOptions.Section, "Vms", KvmOptions.Section, SchedulerOptions.Section, HostTasksOptions.Section, CostsOptions.Section };

    /// <summary>The VM keys Core reads.</summary>
    private static readonly string[] CoreVmKeys = { "Name", "Vcpus", "Weight", "Cpus", "VcpuCpus", "Workload", "HltExits", "GuestHaltPollNs", "Devices" };

    public static ScenarioOptions Bind(IConfiguration config, List<string> errors)
    {
        var sim = OptionsValidation.Bind<SimulationOptions>(config, SimulationOptions.Section, errors);
        var topo = OptionsValidation.Bind<TopologyOptions>(config, TopologyOptions.Section, errors);
        var sched = OptionsValidation.Bind<SchedulerOptions>(config, SchedulerOptions.Section, errors);
        var hostTasks = OptionsValidation.Bind<HostTasksOptions>(config, HostTasksOptions.Section, errors);
        var costs = OptionsValidation.Bind<CostsOptions>(config, CostsOptions.Section, errors);
        var kvm = OptionsValidation.Bind<KvmOptions>(config, KvmOptions.Section, errors);

        // Only a topology whose keys are in range and whose size is allowed is built: its size is checked first.
        HostTopology? topology = null;
        bool topologyValid = !errors.Any(e => e.StartsWith(TopologyOptions.Section + ":", StringComparison.Ordinal));
        if (topologyValid && ScenarioLimits.CheckTopology(topo, errors))
        {
            try
            {
                topology = new HostTopology(topo.Sockets, topo.CoresPerSocket, topo.ThreadsPerCore, topo.NumaNodesPerSocket);
            }
            catch (ArgumentException ex)
            {
                errors.Add($"Topology: {ex.Message.Split(" (Parameter", 2)[0]}");
            }
        }

        if (sim.SampleUs > 0 && (sim.WarmupUs + sim.DurationUs) / sim.SampleUs > Machine.TimeSeriesSampler.MaxIntervals)
        {
            errors.Add($"Simulation:SampleUs: {sim.SampleUs} µs over {sim.WarmupUs + sim.DurationUs} µs is {(sim.WarmupUs + sim.DurationUs) / sim.SampleUs:N0} intervals, above {Machine.TimeSeriesSampler.MaxIntervals:N0}; sample less often");
        }

        var vms = BindVms(config, topology, errors);
        if (topology is not null && !errors.Any(e => e.StartsWith("Vms", StringComparison.Ordinal)))
        {
            long vcpus = vms.Sum(v => (long)v.Vcpus);
            ScenarioLimits.CheckMemory(sim, topology.Count, vcpus, (long)hostTasks.PerCpu * topology.Count, vms.Sum(v => (long)v.Devices.Count), errors);
        }

        return new ScenarioOptions(sim, topo, topology, vms, sched, hostTasks, costs, kvm);
    }

    /// <summary>
    /// Keys and sections that neither Core nor a loaded plugin (nor the host) reads: typos, or a plugin that is
    /// missing. Every declared section is checked against the union of the keys declared for it.
    /// </summary>
    public static void RejectUnknownKeys(
        IConfiguration config, IReadOnlyList<ConfigSectionKeys> declared, IReadOnlyList<VmConfigKeys> vmKeys,
        IReadOnlyList<IWorkloadDecorator> decorators, IEnumerable<string> policyNames, List<string> errors)
    {
        // Scheduler:<Policy> subsections hold each policy's own keys.
        OptionsValidation.RejectUnknownKeys(config, SchedulerOptions.Section, OptionsValidation.PropertyNames<SchedulerOptions>().Concat(policyNames), errors);
        OptionsValidation.RejectUnknownKeys(config, SimulationOptions.Section, OptionsValidation.PropertyNames<SimulationOptions>(), errors);
        OptionsValidation.RejectUnknownKeys(config, TopologyOptions.Section, OptionsValidation.PropertyNames<TopologyOptions>(), errors);
        OptionsValidation.RejectUnknownKeys(config, HostTasksOptions.Section, OptionsValidation.PropertyNames<HostTasksOptions>(), errors);
        RejectUnknownShared(config, CostsOptions.Section, OptionsValidation.PropertyNames<CostsOptions>(), declared, errors);
        RejectUnknownShared(config, KvmOptions.Section, OptionsValidation.PropertyNames<KvmOptions>(), declared, errors);
        foreach (string section in declared.Select(d => d.Section).Except(CoreSections, StringComparer.OrdinalIgnoreCase).Distinct(StringComparer.OrdinalIgnoreCase))
        {
            RejectUnknownShared(config, section, Array.Empty<string>(), declared, errors);
        }

        var vmKnown = CoreVmKeys.Concat(decorators.Select(d => d.VmKey)).Concat(vmKeys.SelectMany(k => k.Keys)).ToList();
        foreach (var vm in config.GetSection("Vms").GetChildren())
        {
            OptionsValidation.RejectUnknownKeys(config, vm.Path, vmKnown, errors);
            foreach (var device in vm.GetSection("Devices").GetChildren())
            {
                OptionsValidation.RejectUnknownKeys(config, device.Path, OptionsValidation.PropertyNames<DeviceOptions>(), errors);
            }
        }

        var knownSections = new HashSet<string>(CoreSections.Concat(declared.Select(k => k.Section)), StringComparer.OrdinalIgnoreCase);
        foreach (var section in config.GetChildren())
        {
            if (!knownSections.Contains(section.Key))
            {
                errors.Add($"{section.Key}: unknown section (known: {string.Join(", ", knownSections.Order(StringComparer.Ordinal))})");
            }
        }
    }

    private static List<VmOptions> BindVms(IConfiguration config, HostTopology? topology, List<string> errors)
    {
        var vms = new List<VmOptions>();
        var section = config.GetSection("Vms");
        var items = section.GetChildren().ToList();
        if (items.Count == 0)
        {
            errors.Add("Vms: at least one VM is required");
            return vms;
        }

        if (items.Count > ScenarioLimits.MaxVms)
        {
            errors.Add($"Vms: {items.Count:N0} VMs, above the limit of {ScenarioLimits.MaxVms:N0}");
            return vms;
        }

        var names = new HashSet<string>(StringComparer.Ordinal);
        foreach (var item in IndexOrder.Of(items))
        {
            if (!int.TryParse(item.Key, out _))
            {
                errors.Add($"Vms:{item.Key}: Vms must be a JSON array");
                continue;
            }

            string path = item.Path;
            var vm = new VmOptions();
            try
            {
                item.Bind(vm);
            }
            catch (InvalidOperationException ex)
            {
                errors.Add(OptionsValidation.ConversionMessage(ex));
                continue;
            }

            UnconvertedValues.Check(item, vm, errors);
            OptionsValidation.Validate(vm, path, errors);
            if (vm.Name.Length > 0 && !names.Add(vm.Name))
            {
                errors.Add($"{path}:Name: '{vm.Name}' is used by another VM");
            }

            if (topology is not null)
            {
                foreach (int cpu in vm.Cpus)
                {
                    if (cpu < 0 || cpu >= topology.Count)
                    {
                        errors.Add($"{path}:Cpus: pCPU {cpu} does not exist (the topology has pCPUs 0..{topology.Count - 1})");
                    }
                }

                CheckVcpuAffinity(vm, path, topology, errors);
            }

            DeviceBinding.Check(item, vm, topology, errors);

            vms.Add(vm);
        }

        long total = vms.Sum(v => (long)v.Vcpus);
        if (total > ScenarioLimits.MaxVcpus)
        {
            errors.Add($"Vms: {total:N0} vCPUs in all, above the limit of {ScenarioLimits.MaxVcpus:N0}");
        }

        return vms;
    }

    private static void CheckVcpuAffinity(VmOptions vm, string path, HostTopology topology, List<string> errors)
    {
        var indices = new int[vm.VcpuCpus.Count];
        vm.VcpuCpus.Keys.CopyTo(indices, 0);
        Array.Sort(indices);
        foreach (int index in indices)
        {
            var cpus = vm.VcpuCpus[index];
            string key = $"{path}:VcpuCpus:{index}";
            if (index < 0 || index >= vm.Vcpus)
            {
                errors.Add($"{key}: VM '{vm.Name}' has no vCPU {index} (it has vCPUs 0..{vm.Vcpus - 1})");
                continue;
            }

            if (cpus.Count == 0)
            {
                errors.Add($"{key}: an empty pCPU set would leave vCPU {index} nowhere to run");
            }

            foreach (int cpu in cpus)
            {
                if (cpu < 0 || cpu >= topology.Count)
                {
                    errors.Add($"{key}: pCPU {cpu} does not exist (the topology has pCPUs 0..{topology.Count - 1})");
                }
                else if (vm.Cpus.Count > 0 && !vm.Cpus.Contains(cpu))
                {
                    errors.Add($"{key}: pCPU {cpu} is outside the VM's own set {path}:Cpus [{string.Join(", ", vm.Cpus)}]");
                }
            }
        }
    }

    private static void RejectUnknownShared(IConfiguration config, string section, IEnumerable<string> coreKeys, IReadOnlyList<ConfigSectionKeys> pluginKeys, List<string> errors)
    {
        var known = coreKeys.Concat(pluginKeys.Where(k => string.Equals(k.Section, section, StringComparison.OrdinalIgnoreCase)).SelectMany(k => k.Keys));
        OptionsValidation.RejectUnknownKeys(config, section, known, errors);
    }
}
