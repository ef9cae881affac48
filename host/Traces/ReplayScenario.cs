using System.Text;
using System.Text.Json;

namespace Emu.Host.Traces;

/// <summary>
/// The scenario of a replay, as JSON: a seed, a run covering the recording, a topology covering the CPUs seen, a
/// TraceReplay VM per VM found, the placement the recording showed, and the host tasks when asked for.
/// </summary>
internal static class ReplayScenario
{
    public const long Seed = 42;

    /// <summary>CoresPerSocket's limit: past it the CPUs are spread over sockets.</summary>
    private const int MaxCoresPerSocket = 1024;

    /// <summary>
    /// The recording's length, rounded up to the microsecond: the replay ends where the recording does, since what the
    /// vCPUs did after it is unknown (raise it to let a replay that runs slower than the host finish its actions).
    /// </summary>
    public static long DurationUs(long recordedNs) => Math.Clamp((recordedNs + 999) / 1000, 1, 3_600_000_000);

    /// <summary>
    /// Where what is under way at the recording's end (guest time, a halt, an exit) ends in the replay: a millisecond
    /// past the replay's end, in the trace's time.
    /// </summary>
    public static long OpenEndNs(long firstNs, long recordedNs) => firstNs + (DurationUs(recordedNs) * 1000) + 1_000_000;

    /// <summary>
    /// Pinned when the recording shows each vCPU thread on one pCPU of its own (a 1:1-pinned host) and there are
    /// pCPUs for every vCPU; Fair (CFS-like), within the pCPUs each VM used, otherwise.
    /// </summary>
    public static bool IsPinned(IReadOnlyList<ImportedVm> vms, int pcpus)
    {
        var threads = vms.SelectMany(v => v.Threads).ToList();
        return vms.Sum(v => v.Vcpus.Count) <= pcpus
            && threads.All(t => t.Cpus.Count == 1)
            && threads.Select(t => t.Cpus.First()).Distinct().Count() == threads.Count;
    }

    public static string Json(ImportedTrace trace, IReadOnlyList<ImportedVm> vms, IReadOnlyList<string> actionsFiles, HostTaskModel? hostTasks)
    {
        using var buffer = new MemoryStream();
        using (var w = new Utf8JsonWriter(buffer, new JsonWriterOptions { Indented = true }))
        {
            w.WriteStartObject();
            w.WriteStartObject("Simulation");
            w.WriteNumber("Seed", Seed);
            w.WriteNumber("DurationUs", DurationUs(trace.DurationNs));
            w.WriteNumber("WarmupUs", 0);
            w.WriteEndObject();

            int pcpus = trace.CpusSeen;
            int sockets = (pcpus + MaxCoresPerSocket - 1) / MaxCoresPerSocket;
            w.WriteStartObject("Topology");
            w.WriteNumber("Sockets", sockets);
            w.WriteNumber("CoresPerSocket", (pcpus + sockets - 1) / sockets);
            w.WriteNumber("ThreadsPerCore", 1);
            w.WriteNumber("NumaNodesPerSocket", 1);
            w.WriteEndObject();

            bool pinned = IsPinned(vms, pcpus);
            w.WriteStartArray("Vms");
            for (int i = 0; i < vms.Count; i++)
            {
                WriteVm(w, vms[i], actionsFiles[i], pinned);
            }

            w.WriteEndArray();
            w.WriteStartObject("Scheduler");
            w.WriteString("Policy", pinned ? "Pinned" : "Fair");
            w.WriteEndObject();
            w.WriteStartObject("HostTasks");
            w.WriteNumber("PerCpu", hostTasks?.PerCpu ?? 0);
            if (hostTasks is not null)
            {
                w.WriteNumber("RunUs", hostTasks.RunUs);
                w.WriteNumber("SleepUs", hostTasks.SleepUs);
            }

            w.WriteEndObject();
            w.WriteEndObject();
        }

        return Encoding.UTF8.GetString(buffer.ToArray()) + "\n";
    }

    private static void WriteVm(Utf8JsonWriter w, ImportedVm vm, string actionsFile, bool pinned)
    {
        w.WriteStartObject();
        w.WriteString("Name", vm.Name);
        w.WriteNumber("Vcpus", vm.Vcpus.Count);
        if (pinned)
        {
            w.WriteStartObject("VcpuCpus");
            for (int v = 0; v < vm.Vcpus.Count; v++)
            {
                if (vm.Vcpus[v] is { Cpus.Count: > 0 } thread)
                {
                    w.WriteStartArray(v.ToString(System.Globalization.CultureInfo.InvariantCulture));
                    w.WriteNumberValue(thread.Cpus.First());
                    w.WriteEndArray();
                }
            }

            w.WriteEndObject();
        }
        else if (vm.Cpus.Count > 0)
        {
            w.WriteStartArray("Cpus");
            foreach (int cpu in vm.Cpus)
            {
                w.WriteNumberValue(cpu);
            }

            w.WriteEndArray();
        }

        w.WriteStartObject("Workload");
        w.WriteString("Kind", "TraceReplay");
        w.WriteString("ActionsFile", actionsFile);
        w.WriteEndObject();
        w.WriteEndObject();
    }
}
