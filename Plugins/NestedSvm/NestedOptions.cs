using System.Globalization;
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
/// A VM's Nested section: the L2 guest its L1 hypervisor runs.
/// <c>{ "Vcpus": 4, "Workload": { "Kind": "PingPong" }, "Mapping": "Pinned", "L2Share": 0.5, "PeriodUs": 100, "Avic": true }</c>.
/// </summary>
public sealed record NestedOptions(int Vcpus, string WorkloadKind, L2Mapping Mapping, double L2Share, long PeriodNs, bool Avic)
{
    private static readonly string[] Keys = { "Vcpus", "Workload", "Mapping", "L2Share", "PeriodUs", "Avic" };

    /// <summary>Reads and checks the section; every problem goes to <paramref name="errors"/> with its full key.</summary>
    public static NestedOptions Read(IConfigurationSection section, int l1Vcpus, IReadOnlyList<IWorkloadFactory> workloads, List<string> errors)
    {
        foreach (var child in section.GetChildren())
        {
            if (!Keys.Contains(child.Key, StringComparer.OrdinalIgnoreCase))
            {
                errors.Add($"{child.Path}: unknown key (known: {string.Join(", ", Keys)})");
            }
        }

        int vcpus = (int)Number(section, "Vcpus", 0, 1, 255, errors, required: true);
        double share = Number(section, "L2Share", 0.5, 0.01, 1.0, errors);
        long periodUs = (long)Number(section, "PeriodUs", 100, 1, 1_000_000, errors);
        bool avic = Bool(section, "Avic", true, errors);
        var mapping = L2Mapping.Pinned;
        string? m = section["Mapping"];
        if (m is not null && !Enum.TryParse(m, ignoreCase: true, out mapping))
        {
            errors.Add($"{section.Path}:Mapping: unknown mapping '{m}' (known: {string.Join(", ", Enum.GetNames<L2Mapping>())})");
        }

        if (mapping == L2Mapping.Pinned && vcpus > l1Vcpus)
        {
            errors.Add($"{section.Path}:Vcpus: {vcpus} L2 vCPUs pinned 1:1 need at least {vcpus} L1 vCPUs (the VM has {l1Vcpus}); set Mapping to Spread to share L1 vCPUs");
        }

        var workload = section.GetSection("Workload");
        string kind = workload["Kind"] ?? "Mixed";
        var factory = workloads.FirstOrDefault(f => string.Equals(f.Kind, kind, StringComparison.OrdinalIgnoreCase));
        if (factory is null)
        {
            errors.Add($"{workload.Path}:Kind: unknown workload '{kind}' (known: {string.Join(", ", workloads.Select(w => w.Kind))})");
        }
        else if (vcpus > 0)
        {
            errors.AddRange(factory.Validate(workload, vcpus));
        }

        return new NestedOptions(vcpus, factory?.Kind ?? kind, mapping, share, periodUs * 1000, avic);
    }

    private static double Number(IConfigurationSection s, string key, double fallback, double min, double max, List<string> errors, bool required = false)
    {
        string? text = s[key];
        if (text is null)
        {
            if (required)
            {
                errors.Add($"{s.Path}:{key}: required (the number of L2 vCPUs)");
            }

            return fallback;
        }

        if (!double.TryParse(text, NumberStyles.Float, CultureInfo.InvariantCulture, out double v) || v < min || v > max)
        {
            errors.Add($"{s.Path}:{key}: '{text}' must be a number between {min.ToString(CultureInfo.InvariantCulture)} and {max.ToString(CultureInfo.InvariantCulture)}");
            return fallback;
        }

        return v;
    }

    private static bool Bool(IConfigurationSection s, string key, bool fallback, List<string> errors)
    {
        string? text = s[key];
        if (text is null)
        {
            return fallback;
        }

        if (!bool.TryParse(text, out bool v))
        {
            errors.Add($"{s.Path}:{key}: '{text}' must be true or false");
            return fallback;
        }

        return v;
    }
}
