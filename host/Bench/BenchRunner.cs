using System.Diagnostics;
using Emu.Benchmarks.Load;
using Emu.Host.Cli;

namespace Emu.Host.Bench;

/// <summary>
/// Times a scenario against a bare <see cref="PriorityQueue{TElement,TPriority}"/> loop (the engine benchmark's
/// reference, <see cref="SyntheticLoad.PriorityQueueSide"/>) over the same number of events, round after round in one
/// process. The ratio, not either time, is the figure: on a shared machine both move together.
/// </summary>
internal static class BenchRunner
{
    /// <summary>The reference runs in calls of this many events, so that tiered compilation sees its loop called often.</summary>
    private const int ReferenceChunk = 10_000;

    public static BenchReport Run(ScenarioSession session, int rounds, int referenceSubjects, IReadOnlyList<string> unoptimised, Interruption interruption)
    {
        var list = new List<BenchRound>(rounds);
        long retained = 0;
        int vms = 0, vcpus = 0, pcpus = 0;
        // Round 0 warms the JIT up (tiered compilation promotes the hot loops of both sides) and is not reported.
        for (int r = 0; r <= rounds && !interruption.Requested; r++)
        {
            long before = GC.GetTotalMemory(forceFullCollection: true);
            var build = Stopwatch.StartNew();
            using var simulation = session.Build();
            double buildSeconds = build.Elapsed.TotalSeconds;
            retained = GC.GetTotalMemory(forceFullCollection: true) - before;
            vms = simulation.Machine.Vms.Count;
            vcpus = simulation.Machine.VcpuCount;
            pcpus = simulation.Machine.Topology.Count;

            var model = Stopwatch.StartNew();
            simulation.RunToEnd(); // as `emu run` runs it, without building the result inside the timing
            double modelSeconds = model.Elapsed.TotalSeconds;
            long events = simulation.EventsDispatched;
            if (events == 0)
            {
                throw new Core.Configuration.EmuConfigurationException("the scenario dispatched no events (Simulation:DurationUs too short?): nothing to time");
            }

            if (simulation.Failure is not null)
            {
                throw new Core.Configuration.EmuConfigurationException($"the scenario failed, nothing to time: {simulation.Failure.Split('\n')[0]}");
            }

            var bare = new SyntheticLoad.PriorityQueueSide(referenceSubjects, seed: 42);
            if (r == 0)
            {
                WarmUp(bare);
            }

            var reference = Stopwatch.StartNew();
            for (long done = 0; done < events; done += ReferenceChunk)
            {
                bare.Run((int)Math.Min(ReferenceChunk, events - done));
            }

            double referenceSeconds = reference.Elapsed.TotalSeconds;
            if (r > 0)
            {
                list.Add(new BenchRound(events, modelSeconds, referenceSeconds, buildSeconds));
            }
        }

        if (list.Count == 0)
        {
            throw new OperationCanceledException();
        }

        using var self = Process.GetCurrentProcess();
        return new BenchReport(vms, vcpus, pcpus, referenceSubjects, list, retained, self.PeakWorkingSet64, unoptimised);
    }

    /// <summary>
    /// Runs the reference for a second of wall time: tiered compilation promotes PriorityQueue's methods only after
    /// 100 ms without new JIT work and 30 calls, so a short scenario's first rounds would time unoptimised code.
    /// </summary>
    private static void WarmUp(SyntheticLoad.PriorityQueueSide bare)
    {
        var wall = Stopwatch.StartNew();
        while (wall.Elapsed.TotalSeconds < 1)
        {
            bare.Run(ReferenceChunk);
        }
    }
}
