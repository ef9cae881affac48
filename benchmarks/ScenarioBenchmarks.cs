using BenchmarkDotNet.Attributes;
using Emu.Core.Building;
using Emu.Plugins.Schedulers;
using Emu.Plugins.Svm;
using Microsoft.Extensions.Configuration;

namespace Emu.Benchmarks;

/// <summary>
/// A full scenario (issue "Svm plugin", Performance): 64 vCPUs of one VM on 2 x 16 x 2 pCPUs, Mixed workload
/// with IPIs, multicasts, halts and userspace exits, AVIC strict and non-strict. Each invocation dispatches
/// <see cref="Events"/> simulated events of a run that never ends; results are per event.
/// </summary>
[MemoryDiagnoser]
public class ScenarioBenchmarks
{
    public const int Events = 200_000;

    private Simulation _simulation = null!;

    [Params(true, false)]
    public bool Strict { get; set; }

    [GlobalSetup]
    public void Setup()
    {
        var config = new ConfigurationBuilder().AddInMemoryCollection(new Dictionary<string, string?>
        {
            ["Simulation:Seed"] = "42",
            ["Simulation:DurationUs"] = "3600000000",
            ["Topology:Sockets"] = "2",
            ["Topology:CoresPerSocket"] = "16",
            ["Topology:ThreadsPerCore"] = "2",
            ["Vms:0:Name"] = "vm0",
            ["Vms:0:Vcpus"] = "64",
            ["Vms:0:Workload:Kind"] = "Mixed",
            ["Vms:0:Workload:Multicast"] = "0.2",
            ["Vms:0:Workload:Halt"] = "0.2",
            ["Vms:0:Workload:UserspaceExit"] = "0.1",
            ["Scheduler:Policy"] = "Pinned",
            ["Svm:AvicDoorbellStrict"] = Strict ? "true" : "false",
        }).Build();
        _simulation = new EmuBuilder().UseConfiguration(config).AddPlugin<SvmPlugin>().AddPlugin<SchedulersPlugin>().Build();
        Run(); // warm up: queues and histograms at their steady-state size
    }

    [GlobalCleanup]
    public void Cleanup() => _simulation.Dispose();

    [Benchmark(OperationsPerInvoke = Events)]
    public void FullScenario64Vcpus() => Run();

    private void Run()
    {
        for (int i = 0; i < Events; i++)
        {
            _simulation.Engine.Step();
        }
    }
}
