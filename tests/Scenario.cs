using Emu.Core.Building;
using Emu.Core.Results;
using Emu.Plugins.Schedulers;
using Microsoft.Extensions.Configuration;

namespace Emu.Tests;

/// <summary>Builds scenarios the way users do: a configuration (JSON-shaped keys) plus plugins.</summary>
internal static class Scenario
{
    /// <summary>A small default scenario: 1 socket, 4 cores x 2 threads, one 4-vCPU VM running Mixed, Pinned.</summary>
    public static Dictionary<string, string?> Defaults() => new()
    {
        ["Simulation:Seed"] = "42",
        ["Simulation:DurationUs"] = "20000",
        ["Simulation:CheckInvariants"] = "true",
        ["Topology:Sockets"] = "1",
        ["Topology:CoresPerSocket"] = "4",
        ["Topology:ThreadsPerCore"] = "2",
        ["Vms:0:Name"] = "vm0",
        ["Vms:0:Vcpus"] = "4",
        ["Vms:0:Workload:Kind"] = "Mixed",
        ["Scheduler:Policy"] = "Pinned",
    };

    public static EmuBuilder Builder(Dictionary<string, string?> keys, params Emu.Core.Contracts.IEmuPlugin[] extraPlugins)
    {
        var config = new ConfigurationBuilder().AddInMemoryCollection(keys).Build();
        var b = new EmuBuilder().UseConfiguration(config).AddPlugin(new SchedulersPlugin());
        foreach (var p in extraPlugins)
        {
            b.AddPlugin(p);
        }

        return b;
    }

    public static SimulationResult Run(Dictionary<string, string?> keys, params Emu.Core.Contracts.IEmuPlugin[] extraPlugins)
    {
        using var sim = Builder(keys, extraPlugins).Build();
        var r = sim.Run();
        Assert.That(r.Failure, Is.Null, "the run failed");
        return r;
    }

    public static Dictionary<string, string?> With(this Dictionary<string, string?> keys, string key, string? value)
    {
        var copy = new Dictionary<string, string?>(keys, StringComparer.OrdinalIgnoreCase) { [key] = value };
        return copy;
    }
}
