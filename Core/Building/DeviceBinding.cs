using Emu.Core.Configuration;
using Emu.Core.Contracts;
using Emu.Core.Model;
using Emu.Core.Topology;
using Emu.Core.Workloads;
using Microsoft.Extensions.Configuration;

namespace Emu.Core.Building;

/// <summary>
/// Vms:i:Devices: checks each device against its VM and the host, and builds the run's device list, adding the
/// completion device a workload asks for (IoHeavy's io0).
/// </summary>
internal static class DeviceBinding
{
    /// <summary>The completion device's name and vector (a VM's own devices may not reuse them).</summary>
    public const string CompletionDevice = "io0";
    public const int CompletionVector = 0x21;

    /// <summary>The jitter of the completion device's service time.</summary>
    public const double CompletionJitter = 0.5;

    public static void Check(IConfigurationSection vmSection, VmOptions vm, HostTopology? topology, List<string> errors)
    {
        var section = vmSection.GetSection("Devices");
        foreach (var child in section.GetChildren())
        {
            if (!int.TryParse(child.Key, out _))
            {
                errors.Add($"{child.Path}: Devices must be a JSON array");
                return;
            }
        }

        // Each device is bound on its own: the binder silently drops a list element whose value does not convert.
        vm.Devices = new List<DeviceOptions>();
        foreach (var child in Configuration.IndexOrder.Of(section.GetChildren()))
        {
            var device = new DeviceOptions();
            try
            {
                child.Bind(device);
            }
            catch (InvalidOperationException ex)
            {
                errors.Add(OptionsValidation.ConversionMessage(ex));
                continue;
            }

            Configuration.UnconvertedValues.Check(child, device, errors);
            vm.Devices.Add(device);
        }

        var names = new HashSet<string>(StringComparer.Ordinal);
        var vectors = new Dictionary<int, string>();
        for (int i = 0; i < vm.Devices.Count; i++)
        {
            var d = vm.Devices[i];
            string path = $"{section.Path}:{i}";
            OptionsValidation.Validate(d, path, errors);
            if (d.Name.Length > 0 && !names.Add(d.Name))
            {
                errors.Add($"{path}:Name: '{d.Name}' is used by another device of VM '{vm.Name}'");
            }

            if (vectors.TryGetValue(d.Vector, out string? other))
            {
                errors.Add($"{path}:Vector: 0x{d.Vector:X2} is used by device '{other}' of the same VM (a VM's device vectors are distinct)");
            }
            else
            {
                vectors[d.Vector] = d.Name;
            }

            if (d.Vcpus.Count == 0)
            {
                errors.Add($"{path}:Vcpus: a device needs at least one vCPU to interrupt");
            }

            var seen = new HashSet<int>();
            foreach (int v in d.Vcpus)
            {
                if (v < 0 || v >= vm.Vcpus)
                {
                    errors.Add($"{path}:Vcpus: VM '{vm.Name}' has no vCPU {v} (it has vCPUs 0..{vm.Vcpus - 1})");
                }
                else if (!seen.Add(v))
                {
                    errors.Add($"{path}:Vcpus: vCPU {v} is listed twice");
                }
            }

            if (topology is not null && d.HostCpu >= topology.Count)
            {
                errors.Add($"{path}:HostCpu: pCPU {d.HostCpu} does not exist (the topology has pCPUs 0..{topology.Count - 1})");
            }
        }
    }

    /// <summary>Every VM's devices, numbered globally in VM order; a workload's completion device last in its VM.</summary>
    public static List<DeviceInfo> Build(IReadOnlyList<VmOptions> vms, IReadOnlyList<IWorkloadSettings> workloads, List<string> errors)
    {
        var devices = new List<DeviceInfo>();
        int firstVcpu = 0;
        for (int vm = 0; vm < vms.Count; vm++)
        {
            var o = vms[vm];
            var ipiVectors = vm < workloads.Count && workloads[vm] is IIpiVectors w ? w.IpiVectors.ToHashSet() : new HashSet<byte>();
            for (int i = 0; i < o.Devices.Count; i++)
            {
                if (ipiVectors.Contains((byte)o.Devices[i].Vector))
                {
                    errors.Add($"Vms:{vm}:Devices:{i}:Vector: 0x{o.Devices[i].Vector:X2} is a vector the VM's workload sends IPIs with; give the device another (its counts would take those IPIs for its own)");
                }
            }

            foreach (var d in o.Devices)
            {
                var targets = d.Vcpus.Select(i => firstVcpu + i).ToArray();
                devices.Add(new DeviceInfo(devices.Count, vm, d.Name, (byte)d.Vector, targets, d.Posted, d.Trigger, d.IntervalNs, d.Jitter, d.HostCpu));
            }

            if (vm < workloads.Count && workloads[vm] is MixedSettings { CompletionNs: > 0 } mixed)
            {
                string path = $"Vms:{vm}:Devices";
                if (o.Devices.Any(d => d.Name == CompletionDevice || d.Vector == CompletionVector))
                {
                    errors.Add($"{path}: the workload's completion device '{CompletionDevice}' (vector 0x{CompletionVector:X2}) clashes with a device of the same name or vector; rename it, or set Vms:{vm}:Workload:CompletionNs=0");
                }
                else
                {
                    var targets = Enumerable.Range(firstVcpu, o.Vcpus).ToArray();
                    devices.Add(new DeviceInfo(
                        devices.Count, vm, CompletionDevice, CompletionVector, targets, mixed.CompletionPosted, DeviceTrigger.UserspaceExit, mixed.CompletionNs, CompletionJitter, -1));
                }
            }

            firstVcpu += o.Vcpus;
        }

        return devices;
    }
}
