using HdrHistogram;
using System.Text.Json.Nodes;

namespace Emu.Core.Results;

/// <summary>Turns a finished (or stopped) machine's counters into a <see cref="SimulationResult"/>.</summary>
internal static class ResultBuilder
{
    public static SimulationResult Build(Machine.Machine m, JsonNode config, long seed, long simulatedNs, long events)
    {
        m.Settle();
        var c = m.Counters;
        var h = c.IpiLatency;
        var latency = h.TotalCount == 0
            ? new LatencySummary(0, 0, 0, 0, 0, 0)
            : new LatencySummary(h.TotalCount, h.GetValueAtPercentile(50), h.GetValueAtPercentile(90), h.GetValueAtPercentile(99), h.GetMaxValue(), Math.Round(h.GetMean(), 1));

        var totals = new Totals(
            c.IpisSent,
            c.IpisDelivered,
            c.IpisCoalesced,
            c.InterruptsAccepted,
            new Doorbells(c.DoorbellsSent, c.DoorbellsToRunningTarget, c.DoorbellsToTargetInHost, c.DoorbellsSpurious, c.DoorbellsSpuriousOnForeignTask, c.DoorbellsCoalesced),
            new VmExits(
                new IncompleteIpiExits(c.ExitsTargetNotRunning, c.ExitsInvalidTarget, c.ExitsInvalidIntType, c.ExitsInvalidBackingPage, c.ExitsInvalidIpiVector),
                c.ExitsUnacceleratedAccess,
                c.ExitsIcrWrite,
                c.ExitsHlt,
                c.ExitsUserspace,
                c.ExitsMmio,
                c.ExitsExternalInterrupt,
                c.ExitsOther,
                c.ExitsNested,
                c.TotalVmExits),
            latency,
            c.Kicks,
            new Signals(c.NmisTaken, c.Smis, c.Inits, c.Sipis),
            c.Wakeups,
            c.LostWakeups,
            new HaltPolls(c.HaltPollsAttempted, c.HaltPollsSuccessful, c.HaltPollNs),
            c.ContextSwitches,
            c.StolenNs,
            c.StolenNsOnForeignTasks,
            m.DeviceInterrupts.Totals.ToResult(m.DeviceInterrupts.Pending()));

        var vms = new List<VmResult>(m.Vms.Count);
        foreach (var vm in m.Vms)
        {
            var vcpus = new List<VcpuResult>(vm.VcpuCount);
            for (int i = 0; i < vm.VcpuCount; i++)
            {
                int id = vm.VcpuId(i);
                var v = c.Vcpus[id];
                vcpus.Add(new VcpuResult(
                    id, m.Vcpu(id).ApicId, v.IpisSent, v.IpisReceived, v.InterruptsAccepted, v.VmExits, v.IncompleteIpiExits, v.HltExits,
                    v.UserspaceExits, v.Wakeups, v.LatencyCount == 0 ? 0 : v.LatencySumNs / v.LatencyCount, v.LatencyMaxNs,
                    v.GuestNs, v.HostNs, v.UserspaceNs, v.StolenNs, v.RunQueueWaitNs, v.ContextSwitches,
                    new HaltPolls(v.HaltPollsAttempted, v.HaltPollsSuccessful, v.HaltPollNs)));
            }

            // A plugin's section appears only where it has figures: a run is the same with or without a plugin it does not use.
            Dictionary<string, System.Text.Json.JsonElement>? sections = null;
            foreach (var section in m.ResultSections)
            {
                if (section.ForVm(vm.Index) is { } figures)
                {
                    sections ??= new Dictionary<string, System.Text.Json.JsonElement>(StringComparer.Ordinal);
                    sections[section.Key] = ResultJson.ToElement(figures);
                }
            }

            var devices = m.DeviceInterrupts;
            List<DeviceResult>? ofVm = null;
            foreach (var d in m.Devices)
            {
                if (d.Vm == vm.Index)
                {
                    ofVm ??= new List<DeviceResult>();
                    ofVm.Add(new DeviceResult(d.Name, d.Vector, d.Posted, devices.CountersOf(d.Id).ToResult(devices.Pending(d.Id))));
                }
            }

            vms.Add(new VmResult(vm.Name, vcpus)
            {
                DeviceInterrupts = devices.CountersOfVm(vm.Index)?.ToResult(devices.PendingOfVm(vm.Index)),
                Devices = ofVm,
                Sections = sections,
            });
        }

        var pcpus = new List<PcpuResult>(m.Topology.Count);
        foreach (var p in m.Topology.Cpus)
        {
            var pc = c.Pcpus[p.Id];
            pcpus.Add(new PcpuResult(p.Id, p.ApicId, pc.BusyNs, pc.GuestNs, pc.HostNs, pc.HostTaskNs, pc.IdleNs, pc.DoorbellsReceived, pc.SpuriousDoorbells, pc.ContextSwitches));
        }

        var tasks = new List<TaskResult>(m.TaskCount);
        for (int t = 0; t < m.TaskCount; t++)
        {
            tasks.Add(m.TaskResult(t));
        }

        var exitStats = ExitStatsByCount(c.ExitStats);
        var lost = new List<LostWakeupResult>(m.LostWakeupRecords.Count);
        foreach (var r in m.LostWakeupRecords)
        {
            lost.Add(new LostWakeupResult(r.Vcpu, r.TimeNs, r.Detail));
        }

        return new SimulationResult(
            SimulationResult.CurrentSchemaVersion, config, seed, simulatedNs, events, 0, m.Failure is null, m.Failure,
            m.InterruptVirtualizationName, m.SchedulerName, m.SchedulerFallback, totals, vms, pcpus, tasks, lost) { ExitStats = exitStats };
    }

    /// <summary>
    /// perf kvm stat's table: the exit reasons that occurred, most frequent first, then by name. Plain loops and a sort
    /// of reference-typed rows: LINQ over value tuples here was generic code ReadyToRun cannot precompile, JIT-compiled
    /// by every run (issue 19, start-up).
    /// </summary>
    private static List<ExitStatResult> ExitStatsByCount(ExitStat[] stats)
    {
        long exitNs = 0;
        foreach (var s in stats)
        {
            exitNs += s.TotalNs;
        }

        var rows = new List<ExitStatResult>(stats.Length);
        for (int i = 0; i < stats.Length; i++)
        {
            var s = stats[i];
            if (s.Count > 0)
            {
                rows.Add(new ExitStatResult(
                    Model.ExitReasonNames.Name((Model.ExitReason)i), s.Count, s.TotalNs, s.TotalNs / s.Count, s.MinNs, s.MaxNs,
                    exitNs == 0 ? 0 : Math.Round((double)s.TotalNs / exitNs, 4)));
            }
        }

        // Names are unique, so (count descending, name) is a total order: the unstable sort gives one answer.
        rows.Sort(static (a, b) => a.Count != b.Count ? b.Count.CompareTo(a.Count) : string.CompareOrdinal(a.Reason, b.Reason));
        return rows;
    }
}
