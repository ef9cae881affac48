using BenchmarkDotNet.Attributes;

namespace Emu.Benchmarks;

/// <summary>
/// A full scenario (issue "Svm plugin", Performance): 64 vCPUs of one VM on 2 x 16 x 2 pCPUs, Mixed workload
/// with IPIs, multicasts, halts and userspace exits, AVIC strict and non-strict; results are per event.
/// </summary>
[MemoryDiagnoser]
public class ScenarioBenchmarks : SteppedScenario
{
    [Params(true, false)]
    public bool Strict { get; set; }

    [GlobalSetup]
    public void Setup() => Build(
        new Dictionary<string, string?>
        {
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
        },
        warmupInvocations: 1);

    [Benchmark(OperationsPerInvoke = Events)]
    public void FullScenario64Vcpus() => Step();
}
