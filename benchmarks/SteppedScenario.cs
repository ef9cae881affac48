using Emu.Core.Building;
using Emu.Plugins.Schedulers;
using Emu.Plugins.Svm;
using Microsoft.Extensions.Configuration;

namespace Emu.Benchmarks;

/// <summary>
/// What the scenario benchmarks share: a simulation of a run that never ends, built from keys, warmed up, then
/// stepped <see cref="Events"/> events per invocation (so results are per simulated event).
/// </summary>
public abstract class SteppedScenario
{
    public const int Events = 200_000;

    private Simulation _simulation = null!;

    [BenchmarkDotNet.Attributes.GlobalCleanup]
    public void Cleanup() => _simulation.Dispose();

    protected void Build(Dictionary<string, string?> keys, int warmupInvocations)
    {
        keys["Simulation:Seed"] = "42";
        keys["Simulation:DurationUs"] = "3600000000";
        var config = new ConfigurationBuilder().AddInMemoryCollection(keys).Build();
        _simulation = new EmuBuilder().UseConfiguration(config).AddPlugin<SvmPlugin>().AddPlugin<SchedulersPlugin>().Build();
        for (int i = 0; i < warmupInvocations; i++)
        {
            Step(); // queues and histograms at their steady-state size
        }
    }

    protected void Step()
    {
        for (int i = 0; i < Events; i++)
        {
            _simulation.Engine.Step();
        }
    }
}
