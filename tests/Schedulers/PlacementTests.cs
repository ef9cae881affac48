using Emu.Core.Contracts;
using Emu.Core.Model;
using Emu.Core.Results;
using Emu.Plugins.Svm;

namespace Emu.Tests.Schedulers;

/// <summary>What each policy is for: weighted shares (Fair), SMT placement (SmtPack / SmtSpread), NUMA locality (NumaLocal).</summary>
public class PlacementTests
{
    [Test]
    public void Fair_SharesOnePcpuInProportionToWeight_WhereRoundRobinSharesEqually()
    {
        var keys = Scenario.Defaults()
            .With("Simulation:DurationUs", "3000000")
            .With("Topology:CoresPerSocket", "1")
            .With("Topology:ThreadsPerCore", "1")
            .With("Vms:0:Vcpus", "1")
            .With("Vms:0:Weight", "1024")
            .With("Vms:0:Workload:Ipi", "0")
            .With("Vms:1:Name", "heavy")
            .With("Vms:1:Vcpus", "1")
            .With("Vms:1:Weight", "2048")
            .With("Vms:1:Workload:Ipi", "0")
            .With("Vms:2:Name", "heavier")
            .With("Vms:2:Vcpus", "1")
            .With("Vms:2:Weight", "3072")
            .With("Vms:2:Workload:Ipi", "0");

        var fair = Scenario.Run(keys.With("Scheduler:Policy", "Fair")).Tasks;
        Assert.That((double)fair[1].OnCpuNs / fair[0].OnCpuNs, Is.EqualTo(2.0).Within(0.05 * 2));
        Assert.That((double)fair[2].OnCpuNs / fair[0].OnCpuNs, Is.EqualTo(3.0).Within(0.05 * 3));
        Assert.That(fair.Sum(t => t.OnCpuNs), Is.GreaterThan(2_900_000_000L), "the pCPU was shared, not left idle");

        var rr = Scenario.Run(keys.With("Scheduler:Policy", "RoundRobin")).Tasks;
        Assert.That((double)rr[2].OnCpuNs / rr[0].OnCpuNs, Is.EqualTo(1.0).Within(0.05), "RoundRobin ignores weights");
    }

    [Test]
    public void Fair_HostTaskWeight_TakesItsShareFromTheVcpu()
    {
        var keys = Scenario.Defaults()
            .With("Simulation:DurationUs", "2000000")
            .With("Topology:CoresPerSocket", "1")
            .With("Topology:ThreadsPerCore", "1")
            .With("Vms:0:Vcpus", "1")
            .With("Vms:0:Workload:Ipi", "0")
            .With("HostTasks:PerCpu", "1")
            .With("HostTasks:SleepUs", "0")
            .With("HostTasks:RunUs", "1000000")
            .With("HostTasks:Weight", "3072")
            .With("Scheduler:Policy", "Fair");
        var tasks = Scenario.Run(keys).Tasks;
        Assert.That(tasks[1].Vm, Is.EqualTo(-1), "the host task's result row");
        Assert.That((double)tasks[1].OnCpuNs / tasks[0].OnCpuNs, Is.EqualTo(3.0).Within(0.15));
    }

    [TestCase("SmtPack")]
    [TestCase("SmtSpread")]
    public void Smt_PacksOrSpreadsAVmsVcpusOverSiblingThreads(string policy)
    {
        // 4 vCPUs that halt often (so they are placed again and again) on 4 cores x 2 threads.
        var keys = Scenario.Defaults()
            .With("Simulation:DurationUs", "100000")
            .With("Vms:0:Workload:Halt", "0.5")
            .With("Scheduler:Policy", policy);
        var sibling = new SiblingSharing(8, t => t < 4);
        using (var sim = Scenario.Builder(keys, new SvmPlugin()).AddTraceSink(sibling).Build())
        {
            Assert.That(sim.Run().Failure, Is.Null);
        }

        double shared = sibling.SharedFraction;
        if (policy == "SmtPack")
        {
            Assert.That(shared, Is.GreaterThan(0.6), "a packed VM's running vCPUs mostly have a sibling of their own VM");
        }
        else
        {
            Assert.That(shared, Is.LessThan(0.02), "a spread VM's vCPUs never share a core while cores are free");
        }
    }

    [Test]
    public void NumaLocal_KeepsEachVmOnOneNode_WhileItFits_AndSpreadsOneThatDoesNot()
    {
        // 2 sockets x 2 cores, one NUMA node per socket: pCPUs 0,1 on node 0 and 2,3 on node 1.
        var keys = Scenario.Defaults()
            .With("Simulation:DurationUs", "100000")
            .With("Topology:Sockets", "2")
            .With("Topology:CoresPerSocket", "2")
            .With("Topology:ThreadsPerCore", "1")
            .With("Scheduler:Policy", "NumaLocal")
            .With("HostTasks:PerCpu", "1")
            .With("HostTasks:RunUs", "300")
            .With("HostTasks:SleepUs", "600")
            .With("Vms:0:Vcpus", "2")
            .With("Vms:0:Workload:Halt", "0.4")
            .With("Vms:1:Name", "vm1")
            .With("Vms:1:Vcpus", "2")
            .With("Vms:1:Workload:Halt", "0.4");
        var nodes = RunNodes(keys, 4);
        Assert.That(nodes[0], Has.Count.EqualTo(1), "vm0 on one node");
        Assert.That(nodes[1], Has.Count.EqualTo(1), "vm1 on one node");
        Assert.That(nodes[0].Single(), Is.Not.EqualTo(nodes[1].Single()), "each on its own");

        // Three vCPUs do not fit a 2-pCPU node at MaxNodeLoad 1 and spread; at 2 they stay together.
        var big = keys.With("Vms:0:Vcpus", "3").With("HostTasks:PerCpu", "0");
        Assert.That(RunNodes(big, 5)[0], Has.Count.EqualTo(2));
        Assert.That(RunNodes(big.With("Scheduler:NumaLocal:MaxNodeLoad", "2"), 5)[0], Has.Count.EqualTo(1));

        // RoundRobin, for contrast, lets the VMs roam when host tasks take their pCPUs.
        Assert.That(RunNodes(keys.With("Scheduler:Policy", "RoundRobin"), 4)[0], Has.Count.EqualTo(2));
    }

    private static Dictionary<int, HashSet<int>> RunNodes(Dictionary<string, string?> keys, int vcpus)
    {
        var sink = new CpusOfTasks();
        using var sim = Scenario.Builder(keys, new SvmPlugin()).AddTraceSink(sink).Build();
        Assert.That(sim.Run().Failure, Is.Null);
        var byVm = new Dictionary<int, HashSet<int>>();
        foreach (var (task, cpus) in sink.Cpus)
        {
            if (task < vcpus)
            {
                int vm = sim.Machine.Vcpu(task).Vm;
                byVm.TryAdd(vm, new HashSet<int>());
                byVm[vm].UnionWith(cpus.Select(c => sim.Machine.Topology.Cpus[c].NumaNode));
            }
        }

        return byVm;
    }

    /// <summary>The pCPUs each task ran on.</summary>
    private sealed class CpusOfTasks : ITraceSink
    {
        public Dictionary<int, HashSet<int>> Cpus { get; } = new();

        public void TaskSwitched(long time, int pcpu, int task)
        {
            if (task >= 0)
            {
                Cpus.TryAdd(task, new HashSet<int>());
                Cpus[task].Add(pcpu);
            }
        }

        public void VcpuStateChanged(long time, int pcpu, int vcpu, VcpuState state)
        {
        }

        public void Instant(long time, int pcpu, TraceKind kind, int vcpu, long argument)
        {
        }
    }

    /// <summary>Of the time the VM's tasks run, the share during which a sibling thread runs one of them too.</summary>
    private sealed class SiblingSharing : ITraceSink
    {
        private readonly int[] _on;
        private readonly Func<int, bool> _ofVm;
        private readonly int _cores;
        private long _last;
        private double _running;
        private double _shared;

        public SiblingSharing(int cpus, Func<int, bool> ofVm)
        {
            _on = Enumerable.Repeat(-1, cpus).ToArray();
            _ofVm = ofVm;
            _cores = cpus / 2;
        }

        public double SharedFraction => _shared / _running;

        public void TaskSwitched(long time, int pcpu, int task)
        {
            long dt = time - _last;
            for (int c = 0; c < _on.Length; c++)
            {
                if (_on[c] >= 0 && _ofVm(_on[c]))
                {
                    _running += dt;
                    int sibling = c < _cores ? c + _cores : c - _cores; // Linux/AMD numbering: siblings are cores apart
                    if (_on[sibling] >= 0 && _ofVm(_on[sibling]))
                    {
                        _shared += dt;
                    }
                }
            }

            _last = time;
            _on[pcpu] = task;
        }

        public void VcpuStateChanged(long time, int pcpu, int vcpu, VcpuState state)
        {
        }

        public void Instant(long time, int pcpu, TraceKind kind, int vcpu, long argument)
        {
        }
    }
}
