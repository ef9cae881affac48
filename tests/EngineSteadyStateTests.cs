using Emu.Benchmarks.Load;
using Emu.Plugins.Svm;

namespace Emu.Tests;

/// <summary>
/// What the benchmarks time, checked for correctness and allocation: the engine dispatches exactly what a bare
/// PriorityQueue does, and neither the engine nor a full AVIC scenario allocates per event in steady state.
/// </summary>
public class EngineSteadyStateTests
{
    [TestCase(16)]
    [TestCase(256)]
    public void Engine_DispatchesTheSameSequence_AsABarePriorityQueue(int subjects)
    {
        var engine = new SyntheticLoad.EngineSide(subjects, seed: 7);
        var bare = new SyntheticLoad.PriorityQueueSide(subjects, seed: 7);
        long ties = 0;
        long lastTime = -1;
        for (int i = 0; i < 200_000; i++)
        {
            engine.Run(1);
            bare.Run(1);
            Assert.That(engine.Last, Is.EqualTo(bare.Last), $"event {i}");
            ties += engine.Last.Time == lastTime ? 1 : 0;
            lastTime = engine.Last.Time;
        }

        Assert.That(ties, Is.GreaterThan(100), "equal times happen, so the tie-break (insertion order) is exercised");
    }

    [Test]
    public void Engine_AllocatesNothingPerEvent_InSteadyState()
    {
        var engine = new SyntheticLoad.EngineSide(4096, seed: 1);
        engine.Run(500_000);
        long before = GC.GetAllocatedBytesForCurrentThread();
        engine.Run(500_000);
        long allocated = GC.GetAllocatedBytesForCurrentThread() - before;
        Assert.That(allocated, Is.Zero);
    }

    [TestCase("true", false)]
    [TestCase("false", false)]
    [TestCase("true", true)]
    [TestCase("false", true)]
    public void FullAvicScenario_AllocatesNothingPerEvent_InSteadyState(string strict, bool devices)
    {
        var keys = Scenario.Defaults()
            .With("Simulation:DurationUs", "3600000000")
            .With("Simulation:CheckInvariants", "false")
            .With("Topology:CoresPerSocket", "8")
            .With("Vms:0:Vcpus", "16")
            .With("Vms:0:Workload:Multicast", "0.2")
            .With("Vms:0:Workload:Broadcast", "0.05")
            .With("Vms:0:Workload:Halt", "0.2")
            .With("Vms:0:Workload:UserspaceExit", "0.1")
            .With("Svm:AvicDoorbellStrict", strict);
        if (devices)
        {
            // A posted device, a remapped one and IoHeavy's completions: doorbells, GA-log interrupts, host injections.
            keys = Devices.DeviceScenario.Device(keys, 0, 5_000, 0x40, new[] { 0, 3, 7, 11 }, jitter: 0.5);
            keys = Devices.DeviceScenario.Device(keys, 1, 9_000, 0x41, new[] { 1, 5 }, posted: false, jitter: 0.5);
            keys = keys.With("Vms:0:Workload:CompletionNs", "10000");
        }

        using var sim = Scenario.Builder(keys, new SvmPlugin()).Build();
        sim.RunUntil(50_000_000);
        long events = sim.Engine.EventsDispatched;
        long before = GC.GetAllocatedBytesForCurrentThread();
        sim.RunUntil(100_000_000);
        long allocated = GC.GetAllocatedBytesForCurrentThread() - before;
        Assert.That(sim.Engine.EventsDispatched - events, Is.GreaterThan(100_000));
        Assert.That(allocated, Is.Zero, $"{allocated} bytes over {sim.Engine.EventsDispatched - events} events");
        if (devices)
        {
            Assert.That(sim.Internals.DeviceInterrupts.Totals.GaLogInterrupts, Is.GreaterThan(0), "the GA-log path ran");
            Assert.That(sim.Internals.DeviceInterrupts.Totals.Remapped, Is.GreaterThan(0), "the remapped path ran");
        }
    }

    [TestCase("RoundRobin")]
    [TestCase("Fair")]
    [TestCase("SmtPack")]
    [TestCase("SmtSpread")]
    [TestCase("NumaLocal")]
    [TestCase("Random")]
    public void ContextSwitches_AllocateNothing_UnderEveryPolicy(string policy)
    {
        // 24 vCPUs and 16 host tasks on 8 pCPUs: a context switch every few microseconds.
        var keys = Scenario.Defaults()
            .With("Simulation:DurationUs", "3600000000")
            .With("Simulation:CheckInvariants", "false")
            .With("Topology:NumaNodesPerSocket", "2")
            .With("Vms:0:Vcpus", "16")
            .With("Vms:0:Workload:Halt", "0.3")
            .With("Vms:0:Workload:UserspaceExit", "0.1")
            .With("Vms:1:Name", "vm1")
            .With("Vms:1:Vcpus", "8")
            .With("Vms:1:Weight", "2048")
            .With("HostTasks:PerCpu", "2")
            .With("HostTasks:RunUs", "200")
            .With("HostTasks:SleepUs", "400")
            .With("Scheduler:TimeSliceUs", "500")
            .With("Scheduler:Policy", policy);
        using var sim = Scenario.Builder(keys, new SvmPlugin()).Build();
        sim.RunUntil(50_000_000);
        long switches = sim.Internals.Counters.ContextSwitches;
        long before = GC.GetAllocatedBytesForCurrentThread();
        sim.RunUntil(250_000_000);
        long allocated = GC.GetAllocatedBytesForCurrentThread() - before;
        Assert.That(sim.Internals.Counters.ContextSwitches - switches, Is.GreaterThan(1_000));
        Assert.That(allocated, Is.Zero, $"{allocated} bytes over {sim.Internals.Counters.ContextSwitches - switches} context switches");
    }
}
