using BenchmarkDotNet.Attributes;

namespace Emu.Benchmarks;

/// <summary>
/// The over-committed scale point (issue "Scheduler plugins", Performance): scenarios/large-overcommit.json,
/// 32 VMs x 128 vCPUs = 4096 vCPUs and a host task per pCPU on 2 sockets x 256 cores x 2 threads = 1024
/// pCPUs, Mixed workload with halts and userspace exits, AVIC strict; per policy. Run it together with
/// <see cref="ScenarioBenchmarks"/> so the two sizes are measured on the same machine state.
/// </summary>
[MemoryDiagnoser]
public class LargeOvercommitBenchmarks : SteppedScenario
{
    [Params("RoundRobin", "Fair")]
    public string Policy { get; set; } = "RoundRobin";

    [GlobalSetup]
    public void Setup()
    {
        var keys = new Dictionary<string, string?>
        {
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

        Build(keys, warmupInvocations: 5); // every vCPU started
    }

    [Benchmark(OperationsPerInvoke = Events)]
    public void Overcommit4096VcpusOn1024Pcpus() => Step();
}
