using System.Text.Json;
using Emu.Core.Building;
using Emu.Core.Results;
using Emu.Plugins.NestedSvm;
using Emu.Plugins.Svm;

namespace Emu.Tests.NestedSvm;

/// <summary>Scenarios with an L1 VM that runs an L2 guest, built through the same builder users use.</summary>
internal static class NestedScenario
{
    /// <summary>4 L1 vCPUs over-committed on 2 pCPUs with host tasks; 4 L2 vCPUs pinned on them.</summary>
    public static Dictionary<string, string?> Overcommitted() => Scenario.Defaults()
        .With("Simulation:DurationUs", "20000")
        .With("Topology:CoresPerSocket", "2")
        .With("Topology:ThreadsPerCore", "1")
        .With("Scheduler:Policy", "RoundRobin")
        .With("Scheduler:TimeSliceUs", "500")
        .With("HostTasks:PerCpu", "1")
        .With("HostTasks:RunUs", "300")
        .With("HostTasks:SleepUs", "300")
        .With("Vms:0:Workload:Ipi", "0.2")
        .With("Vms:0:Workload:Halt", "0.5")
        .With("Vms:0:Nested:Vcpus", "4")
        .With("Vms:0:Nested:Workload:Kind", "Mixed")
        .With("Vms:0:Nested:Workload:Ipi", "1.0")
        .With("Vms:0:Nested:Workload:Halt", "0.3")
        .With("Vms:0:Nested:L2Share", "0.7");

    public static EmuBuilder Builder(Dictionary<string, string?> keys) => Scenario.Builder(keys, new SvmPlugin(), new NestedSvmPlugin());

    public static SimulationResult Run(Dictionary<string, string?> keys)
    {
        using var sim = Builder(keys).Build();
        var r = sim.Run();
        Assert.That(r.Failure, Is.Null, "the run failed");
        return r;
    }

    /// <summary>vms[0].nested, the NestedSvm plugin's own result section.</summary>
    public static NestedResult Nested(SimulationResult r) =>
        r.Vms[0].Sections is { } s && s.TryGetValue("nested", out var nested)
            ? nested.Deserialize<NestedResult>(new JsonSerializerOptions(JsonSerializerDefaults.Web))!
            : throw new AssertionException("no nested section in the result");
}
