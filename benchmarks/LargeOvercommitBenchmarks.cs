using BenchmarkDotNet.Attributes;
using Emu.Core.Building;
using Emu.Plugins.Schedulers;
using Emu.Plugins.Svm;
using Microsoft.Extensions.Configuration;

namespace Emu.Benchmarks;

/// <summary>
/// The over-committed scale point (issue "Scheduler plugins", Performance): scenarios/large-overcommit.json,
/// 32 VMs x 128 vCPUs = 4096 vCPUs and a host task per pCPU on 2 sockets x 256 cores x 2 threads = 1024
/// pCPUs, Mixed workload with halts and userspace exits, AVIC strict; per policy. Run it together with
/// <see cref="ScenarioBenchmarks"/> so the two sizes are measured on the same machine state.
/// </summary>
[MemoryDiagnoser]
public class LargeOvercommitBenchmarks
{
    public const int Events = 200_000;

    private Simulation _simulation = null!;

    [Params("RoundRobin", "Fair")]
    public string Policy { get; set; } = "RoundRobin";

    [GlobalSetup]
    public void Setup()
    {
        var keys = new Dictionary<string, string?>
        {
            ["Simulation:Seed"] = "42",
            ["Simulation:DurationUs"] = "3600000000",
            ["Topology:Sockets"] = "2",
            ["Topology:CoresPerSocket"] = "256",
            ["Topology:ThreadsPerCore"] = "2",
            ["Topology:NumaNodesPerSocket"] = "4",
            ["HostTasks:PerCpu"] = "1",
            ["HostTasks:RunUs"] = "500",
            ["HostTasks:SleepUs"] = "2000",
            ["Scheduler:Policy"] = Policy,
            ["Svm:AvicDoorbellStrict"] = "true",
        };
        for (int vm = 0; vm < 32; vm++)
        {
            keys[$"Vms:{vm}:Name"] = $"vm{vm:00}";
            keys[$"Vms:{vm}:Vcpus"] = "128";
            keys[$"Vms:{vm}:Workload:Kind"] = "Mixed";
            keys[$"Vms:{vm}:Workload:Multicast"] = "0.05";
            keys[$"Vms:{vm}:Workload:Halt"] = "0.3";
            keys[$"Vms:{vm}:Workload:UserspaceExit"] = "0.1";
        }

        var config = new ConfigurationBuilder().AddInMemoryCollection(keys).Build();
        _simulation = new EmuBuilder().UseConfiguration(config).AddPlugin<SvmPlugin>().AddPlugin<SchedulersPlugin>().Build();
        for (int i = 0; i < 5; i++)
        {
            Run(); // warm up: every vCPU started, queues and histograms at their steady-state size
        }
    }

    [GlobalCleanup]
    public void Cleanup() => _simulation.Dispose();

    [Benchmark(OperationsPerInvoke = Events)]
    public void Overcommit4096VcpusOn1024Pcpus() => Run();

    private void Run()
    {
        for (int i = 0; i < Events; i++)
        {
            _simulation.Engine.Step();
        }
    }
}
