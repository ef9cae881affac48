using Emu.Core.Results;

namespace Emu.Tests.Schedulers;

/// <summary>Every policy, the shipped ones and a third-party one loaded from a folder, through the same checks.</summary>
public class SchedulerConformanceTests
{
    private static IEnumerable<string> Policies() => ConformanceScenario.Policies;

    [TestCaseSource(nameof(Policies))]
    public void Policy_KeepsTheSchedulingContract(string policy)
    {
        var (r, checker, hooks) = ConformanceScenario.Run(policy);
        Assert.That(r.Failure, Is.Null, "the run (invariants and watchdog on) failed");
        Assert.That(checker.Violations, Is.Empty, "one pCPU per task, affinity, work conservation where promised");
        Assert.That(hooks.Violations, Is.Empty, "put before the next load on each pCPU");
        Assert.That(hooks.Loads, Is.GreaterThan(100));
        Assert.That(checker.Dispatches, Is.GreaterThan(100));
        Assert.That(r.LostWakeups, Is.Empty);
        Assert.That(r.Totals.IpisDelivered, Is.GreaterThan(0));

        foreach (var t in r.Tasks)
        {
            Assert.That(t.OnCpuNs, Is.GreaterThan(0), $"{t.Name} never ran");
            Assert.That(t.MaxRunQueueWaitNs, Is.LessThanOrEqualTo(ConformanceScenario.WatchdogUs * 1000), $"{t.Name} waited past the watchdog limit");
        }

        // Time is conserved: what the pCPUs spent on tasks covers what the tasks say they ran.
        long onCpu = r.Tasks.Sum(t => t.OnCpuNs);
        long busy = r.Pcpus.Sum(p => p.GuestNs + p.HostNs + p.HostTaskNs);
        Assert.That(onCpu, Is.LessThanOrEqualTo(busy));
        Assert.That(r.Pcpus.Sum(p => p.BusyNs + p.IdleNs), Is.EqualTo(r.SimulatedNs * ConformanceScenario.Cpus));
    }

    [TestCaseSource(nameof(Policies))]
    public void Policy_IsDeterministicForASeed(string policy)
    {
        string first = Json(ConformanceScenario.Run(policy, seed: 7).Result);
        string second = Json(ConformanceScenario.Run(policy, seed: 7).Result);
        Assert.That(second, Is.EqualTo(first));
    }

    private static string Json(SimulationResult r) => ResultJson.Serialize(r with { WallSeconds = 0 });
}
