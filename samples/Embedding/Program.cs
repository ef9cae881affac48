// Embeds Emu's core in a program of its own: no emu host, no plugin folder, no JSON file. The program owns
// the loop: it advances the simulation 1 ms at a time beside its own work (here, a progress line), watches
// events through a trace sink, and reads the same result object the host writes as result.json.
using Emu.Core.Building;
using Emu.Core.Contracts;
using Emu.Core.Model;
using Emu.Core.Results;
using Emu.Plugins.Schedulers;
using Emu.Plugins.Svm;

long durationMs = args.Length > 0 ? long.Parse(args[0], System.Globalization.CultureInfo.InvariantCulture) : 20;
foreach (bool strict in new[] { true, false })
{
    var doorbells = new DoorbellCounter();
    using var simulation = new EmuBuilder()
        .AddPlugin<SvmPlugin>()
        .AddPlugin<SchedulersPlugin>()
        .AddTraceSink(doorbells)
        .Set("Simulation:Seed", "42")
        .Set("Simulation:DurationUs", (durationMs * 1000).ToString(System.Globalization.CultureInfo.InvariantCulture))
        .Set("Topology:CoresPerSocket", "2")
        .Set("Topology:ThreadsPerCore", "1")
        .Set("Vms:0:Name", "guest")
        .Set("Vms:0:Vcpus", "4")
        .Set("Vms:0:Workload:Kind", "IoHeavy")
        .Set("HostTasks:PerCpu", "1")
        .Set("Scheduler:Policy", "RoundRobin")
        .Set("Svm:AvicDoorbellStrict", strict ? "true" : "false")
        .Build();

    for (long ms = 1; !simulation.IsFinished; ms++)
    {
        simulation.RunUntil(ms * 1_000_000);
        if (ms % 5 == 0)
        {
            Console.WriteLine($"  t = {simulation.Now / 1_000_000} ms: {doorbells.Doorbells} doorbells, {doorbells.Spurious} spurious so far");
        }
    }

    SimulationResult r = simulation.GetResult();
    Console.WriteLine(
        $"{r.InterruptVirtualization}: completed={r.Completed} ipis={r.Totals.IpisSent}/{r.Totals.IpisDelivered} " +
        $"exits={r.Totals.VmExits.Total} targetNotRunning={r.Totals.VmExits.AvicIncompleteIpi.TargetNotRunning} " +
        $"spurious={r.Totals.Doorbells.Spurious} sinkDoorbells={doorbells.Doorbells} lostWakeups={r.Totals.LostWakeups}");
    // The trace and the totals are two views of the same run: they must agree (the CPUs' doorbells and the IOMMU's,
    // which IoHeavy's completion device rings).
    var device = r.Totals.DeviceInterrupts;
    if (!r.Completed
        || doorbells.Doorbells != r.Totals.Doorbells.ToRunningTarget + device.ToRunningTarget
        || doorbells.Spurious != r.Totals.Doorbells.Spurious + device.Spurious)
    {
        return 1;
    }
}

return 0;

/// <summary>Counts the doorbells the trace reports (taken by a running target; spurious), to compare with the totals.</summary>
internal sealed class DoorbellCounter : ITraceSink
{
    public long Doorbells { get; private set; }

    public long Spurious { get; private set; }

    public void TaskSwitched(long time, int pcpu, int task)
    {
    }

    public void VcpuStateChanged(long time, int pcpu, int vcpu, VcpuState state)
    {
    }

    public void Instant(long time, int pcpu, TraceKind kind, int vcpu, long argument)
    {
        if (kind == TraceKind.Doorbell)
        {
            Doorbells++;
        }
        else if (kind == TraceKind.SpuriousDoorbell)
        {
            Spurious++;
        }
    }
}
