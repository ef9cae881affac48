using Emu.Core.Configuration;
using Emu.Core.Contracts;
using Microsoft.Extensions.Configuration;

namespace Emu.Plugins.NestedSvm;

/// <summary>How L1 places its L2 vCPUs on its own vCPUs.</summary>
public enum L2Mapping
{
    /// <summary>L2 vCPU j runs on L1 vCPU j (needs as many L1 vCPUs as L2 vCPUs).</summary>
    Pinned,

    /// <summary>L2 vCPU j runs on L1 vCPU j mod N; an L1 vCPU time-slices the L2 vCPUs it hosts.</summary>
    Spread,
}

/// <summary>
/// A VM's Nested section, bound once: the L2 guest its L1 hypervisor runs.
/// <c>{ "Vcpus": 4, "Workload": { "Kind": "PingPong" }, "Mapping": "Pinned", "L2Share": 0.5, "PeriodUs": 100, "Avic": true }</c>.
/// </summary>
public sealed record NestedOptions(int Vcpus, L2Mapping Mapping, double L2Share, long PeriodNs, bool Avic)
{
    /// <summary>Reads and checks the section and the L2 guest's workload; null when anything is wrong (errors name full keys).</summary>
    internal static (NestedOptions Options, IWorkloadSettings Workload)? Bind(
        IConfigurationSection section, int l1Vcpus, IReadOnlyList<IWorkloadFactory> workloads, ICollection<string> errors)
    {
        var keys = new SectionKeys(section, "Workload");
        int vcpus = (int)keys.Long("Vcpus", 0, 1, 255);
        double share = keys.Double("L2Share", 0.5, 0.01, 1.0);
        long periodUs = keys.Long("PeriodUs", 100, 1, 1_000_000);
        bool avic = keys.Bool("Avic", true);
        var mapping = keys.Enum("Mapping", L2Mapping.Pinned);
        keys.RejectUnknown();
        var problems = keys.Errors;
        if (section["Vcpus"] is null)
        {
            problems.Add($"{section.Path}:Vcpus: required (the number of L2 vCPUs)");
        }
        else if (mapping == L2Mapping.Pinned && vcpus > l1Vcpus)
        {
            problems.Add($"{section.Path}:Vcpus: {vcpus} L2 vCPUs pinned 1:1 need at least {vcpus} L1 vCPUs (the VM has {l1Vcpus}); set Mapping to Spread to share L1 vCPUs");
        }

        var workload = section.GetSection("Workload");
        string kind = workload["Kind"] ?? "Mixed";
        var factory = workloads.FirstOrDefault(f => string.Equals(f.Kind, kind, StringComparison.OrdinalIgnoreCase));
        IWorkloadSettings? settings = null;
        if (factory is null)
        {
            problems.Add($"{workload.Path}:Kind: unknown workload '{kind}' (known: {string.Join(", ", workloads.Select(w => w.Kind))})");
        }
        else if (vcpus > 0)
        {
            settings = factory.Bind(workload, vcpus, problems);
        }

        foreach (string p in problems)
        {
            errors.Add(p);
        }

        return problems.Count == 0 && settings is not null ? (new NestedOptions(vcpus, mapping, share, periodUs * 1000, avic), settings) : null;
    }
}
