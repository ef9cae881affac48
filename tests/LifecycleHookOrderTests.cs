using Emu.Core.Contracts;
using Emu.Plugins.Svm;
using Microsoft.Extensions.DependencyInjection;

namespace Emu.Tests;

/// <summary>Core calls every registered IVcpuLifecycleHooks in KVM's order and in registration order.</summary>
public class LifecycleHookOrderTests
{
    private sealed class Recorder(string tag, List<(string Tag, string Hook, int Vcpu, int Pcpu)> log) : IVcpuLifecycleHooks
    {
        public void Load(int vcpu, int pcpu) => log.Add((tag, nameof(Load), vcpu, pcpu));

        public void Put(int vcpu) => log.Add((tag, nameof(Put), vcpu, -1));

        public void Blocking(int vcpu) => log.Add((tag, nameof(Blocking), vcpu, -1));

        public void Unblocking(int vcpu) => log.Add((tag, nameof(Unblocking), vcpu, -1));
    }

    [TestCase("Pinned", "4", "0")]
    [TestCase("RoundRobin", "2", "1")]
    public void Hooks_FollowKvmOrder_PerVcpu_AndRegistrationOrder(string policy, string cores, string hostTasks)
    {
        var log = new List<(string Tag, string Hook, int Vcpu, int Pcpu)>();
        var keys = Scenario.Defaults()
            .With("Topology:CoresPerSocket", cores)
            .With("Topology:ThreadsPerCore", "1")
            .With("Scheduler:Policy", policy)
            .With("Scheduler:TimeSliceUs", "500")
            .With("HostTasks:PerCpu", hostTasks)
            .With("Vms:0:Workload:Halt", "0.5")
            .With("Vms:0:Workload:UserspaceExit", "0.3")
            .With("Kvm:HaltPollNs", "0");
        using var sim = Scenario.Builder(keys, new SvmPlugin())
            .ConfigureServices(s =>
            {
                s.AddSingleton<IVcpuLifecycleHooks>(new Recorder("first", log));
                s.AddSingleton<IVcpuLifecycleHooks>(new Recorder("second", log));
            })
            .Build();
        var result = sim.Run();
        Assert.That(result.Failure, Is.Null);

        // Every call reaches both recorders, the first registered first, with nothing in between.
        Assert.That(log.Count % 2, Is.EqualTo(0));
        for (int i = 0; i < log.Count; i += 2)
        {
            Assert.That(log[i].Tag, Is.EqualTo("first"), $"call {i}");
            Assert.That(log[i + 1], Is.EqualTo(log[i] with { Tag = "second" }), $"call {i}");
        }

        var calls = log.Where(c => c.Tag == "first").ToList();
        foreach (string hook in new[] { "Load", "Put", "Blocking", "Unblocking" })
        {
            Assert.That(calls.Count(c => c.Hook == hook), Is.GreaterThan(0), $"{hook} never ran");
        }

        // Per vCPU: load/put alternate starting with load; blocking happens loaded; unblocking follows
        // blocking after the vCPU is loaded again (kvm_vcpu_block: pre-block, schedule, post-block).
        var loaded = new bool[4];
        var blocking = new bool[4];
        foreach (var (_, hook, vcpu, pcpu) in calls)
        {
            string at = $"vCPU {vcpu} {hook}";
            switch (hook)
            {
                case "Load":
                    Assert.That(loaded[vcpu], Is.False, at + " while loaded");
                    Assert.That(pcpu, Is.InRange(0, sim.Machine.Topology.Count - 1));
                    loaded[vcpu] = true;
                    break;
                case "Put":
                    Assert.That(loaded[vcpu], Is.True, at + " while not loaded");
                    loaded[vcpu] = false;
                    break;
                case "Blocking":
                    Assert.That(loaded[vcpu] && !blocking[vcpu], Is.True, at);
                    blocking[vcpu] = true;
                    break;
                case "Unblocking":
                    Assert.That(blocking[vcpu] && loaded[vcpu], Is.True, at);
                    blocking[vcpu] = false;
                    break;
            }
        }
    }
}
