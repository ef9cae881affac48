using Emu.Core.Configuration;

namespace Emu.Core.Building;

/// <summary>
/// The documented maxima (docs/configuration.md, "Limits"), checked on the raw numbers before anything is built, and
/// an estimate of a run's memory against Simulation:MaxMemoryMb, so that a scenario too large is refused at once
/// with what it would need instead of failing minutes later or taking the machine's memory.
/// </summary>
internal static class ScenarioLimits
{
    /// <summary>AVIC's physical APIC ID table holds a 12-bit host physical APIC ID: at most 4096 pCPUs.</summary>
    public const int MaxPcpus = 4096;

    public const int MaxVms = 1024;

    /// <summary>Every VM's vCPUs together (each VM: 255, xAPIC AVIC).</summary>
    public const int MaxVcpus = 65_536;

    public const int MaxNameLength = 64;

    /// <summary>
    /// Checks the topology's size before a <see cref="Topology.HostTopology"/> is built; false (with the problem in
    /// <paramref name="errors"/>) when it must not be.
    /// </summary>
    public static bool CheckTopology(TopologyOptions t, ICollection<string> errors)
    {
        long pcpus = (long)t.Sockets * t.CoresPerSocket * t.ThreadsPerCore;
        if (pcpus > MaxPcpus)
        {
            errors.Add($"Topology: {t.Sockets} sockets x {t.CoresPerSocket} cores x {t.ThreadsPerCore} threads = {pcpus:N0} pCPUs, above the {MaxPcpus:N0} AVIC can name (a 12-bit host physical APIC ID)");
            return false;
        }

        return true;
    }

    /// <summary>The run's memory in MB, roughly: runtime and plugins, per-task affinity and state, per-vCPU interrupt state, per-pCPU queues.</summary>
    public static long EstimateMemoryMb(long pcpus, long vcpus, long hostTasks, long devices)
    {
        long tasks = vcpus + hostTasks;
        double bytes = (80L << 20) // the runtime, Core and the plugins
            + (tasks * (pcpus + 1024) * 1.5) // each task's affinity mask (a flag per pCPU) and its state
            + (vcpus * 8192.0) // IRR bookkeeping (pending counts and times per vector), counters
            + (pcpus * 16384.0) // run queues, per-pCPU counters, timers
            + (devices * 131072.0); // each device's latency histograms
        return (long)Math.Ceiling(bytes / (1 << 20));
    }

    public static void CheckMemory(SimulationOptions sim, long pcpus, long vcpus, long hostTasks, long devices, ICollection<string> errors)
    {
        long needMb = EstimateMemoryMb(pcpus, vcpus, hostTasks, devices);
        if (needMb > sim.MaxMemoryMb)
        {
            errors.Add($"Simulation:MaxMemoryMb: this scenario needs about {needMb:N0} MB ({pcpus:N0} pCPUs, {vcpus:N0} vCPUs, {hostTasks:N0} host tasks), above the limit of {sim.MaxMemoryMb:N0} MB; raise Simulation:MaxMemoryMb if the machine has it");
        }
    }
}
