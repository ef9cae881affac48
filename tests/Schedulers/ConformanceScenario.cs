using Emu.Core.Building;
using Emu.Core.Contracts;
using Emu.Core.Results;
using Emu.Host.Plugins;
using Emu.Plugins.Svm;

namespace Emu.Tests.Schedulers;

/// <summary>
/// The scenario every policy is held to: 8 pCPUs (4 cores x 2 threads, two NUMA nodes), a host task per pCPU,
/// and VMs with VM- and vCPU-level affinity; over-committed except for Pinned, which refuses over-commit.
/// </summary>
internal static class ConformanceScenario
{
    public const int Cpus = 8;
    public const long WatchdogUs = 100_000;

    /// <summary>Every policy the plugins ship, plus TestFifo, a third-party policy loaded from a folder.</summary>
    public static readonly string[] Policies = { "Pinned", "RoundRobin", "Fair", "SmtPack", "SmtSpread", "NumaLocal", "Random", "TestFifo" };

    private static readonly Lazy<IEmuPlugin> TestFifo = new(() =>
        PluginCatalog.Load(new[] { (Path.Combine(AppContext.BaseDirectory, "testplugins"), "test") }, Array.Empty<string>())
            .Single(p => p.Plugin.Name == "TestFifo").Plugin);

    public static Dictionary<string, string?> Keys(string policy, long seed = 42)
    {
        var keys = new Dictionary<string, string?>(StringComparer.OrdinalIgnoreCase)
        {
            ["Simulation:Seed"] = seed.ToString(System.Globalization.CultureInfo.InvariantCulture),
            ["Simulation:DurationUs"] = "200000",
            ["Simulation:CheckInvariants"] = "true",
            ["Topology:Sockets"] = "1",
            ["Topology:CoresPerSocket"] = "4",
            ["Topology:ThreadsPerCore"] = "2",
            ["Topology:NumaNodesPerSocket"] = "2",
            ["HostTasks:PerCpu"] = "1",
            ["HostTasks:RunUs"] = "300",
            ["HostTasks:SleepUs"] = "1500",
            ["Scheduler:Policy"] = "Checked",
            ["Scheduler:Checked:Policy"] = policy,
            ["Scheduler:TimeSliceUs"] = "1000",
            ["Scheduler:WatchdogUs"] = WatchdogUs.ToString(System.Globalization.CultureInfo.InvariantCulture),
            ["Vms:0:Name"] = "web",
            ["Vms:0:Vcpus"] = "4",
            ["Vms:0:Workload:Kind"] = "Mixed",
            ["Vms:0:Workload:Halt"] = "0.3",
            ["Vms:0:Workload:UserspaceExit"] = "0.1",
            ["Vms:0:Cpus:0"] = "0", ["Vms:0:Cpus:1"] = "1", ["Vms:0:Cpus:2"] = "2",
            ["Vms:0:Cpus:3"] = "3", ["Vms:0:Cpus:4"] = "4", ["Vms:0:Cpus:5"] = "5",
            ["Vms:0:VcpuCpus:0:0"] = "0",
            ["Vms:0:VcpuCpus:1:0"] = "0", ["Vms:0:VcpuCpus:1:1"] = "1", ["Vms:0:VcpuCpus:1:2"] = "4",
            ["Vms:1:Name"] = "io",
            ["Vms:1:Vcpus"] = "2",
            ["Vms:1:Workload:Kind"] = "IoHeavy",
            ["Vms:1:Cpus:0"] = "2", ["Vms:1:Cpus:1"] = "3", ["Vms:1:Cpus:2"] = "6", ["Vms:1:Cpus:3"] = "7",
        };
        if (policy != "Pinned")
        {
            keys["Vms:2:Name"] = "batch";
            keys["Vms:2:Vcpus"] = "6";
            keys["Vms:2:Weight"] = "2048";
            keys["Vms:2:Workload:Kind"] = "Mixed";
            keys["Vms:2:Workload:Halt"] = "0.1";
        }

        return keys;
    }

    /// <summary>The affinity the config above asks for, worked out here rather than read back from Core.</summary>
    public static bool ExpectedAllowed(string policy, int task, int cpu)
    {
        int vcpus = policy == "Pinned" ? 6 : 12;
        return task switch
        {
            0 => cpu == 0,
            1 => cpu is 0 or 1 or 4,
            2 or 3 => cpu <= 5,
            4 or 5 => cpu is 2 or 3 or 6 or 7,
            _ when task < vcpus => true,
            _ => cpu == (task - vcpus) % Cpus,
        };
    }

    public static (SimulationResult Result, CheckedScheduler Checker, HookOrderRecorder Hooks) Run(string policy, long seed = 42)
    {
        var checker = new CheckedSchedulerPlugin((t, c) => ExpectedAllowed(policy, t, c));
        var hooks = new HookOrderRecorder(Cpus);
        var builder = Scenario.Builder(Keys(policy, seed), new SvmPlugin(), checker, TestFifo.Value)
            .ConfigureServices(s => Microsoft.Extensions.DependencyInjection.ServiceCollectionServiceExtensions.AddSingleton<IVcpuLifecycleHooks>(s, hooks));
        using var sim = builder.Build();
        var result = sim.Run();
        return (result, checker.Last!, hooks);
    }
}

/// <summary>KVM's rule on every pCPU: the vCPU loaded there is put before another is loaded; a vCPU is loaded on one pCPU at a time.</summary>
internal sealed class HookOrderRecorder : IVcpuLifecycleHooks
{
    private readonly int[] _loadedOn;
    private readonly Dictionary<int, int> _cpuOf = new();

    public HookOrderRecorder(int cpus)
    {
        _loadedOn = Enumerable.Repeat(-1, cpus).ToArray();
    }

    public List<string> Violations { get; } = new();

    public long Loads { get; private set; }

    public long Puts { get; private set; }

    public void Load(int vcpu, int pcpu)
    {
        Loads++;
        if (_loadedOn[pcpu] >= 0)
        {
            Add($"vCPU {vcpu} loaded on pCPU {pcpu} before vCPU {_loadedOn[pcpu]} was put");
        }

        if (_cpuOf.TryGetValue(vcpu, out int other))
        {
            Add($"vCPU {vcpu} loaded on pCPU {pcpu} while still loaded on pCPU {other}");
        }

        _loadedOn[pcpu] = vcpu;
        _cpuOf[vcpu] = pcpu;
    }

    public void Put(int vcpu)
    {
        Puts++;
        if (!_cpuOf.Remove(vcpu, out int pcpu))
        {
            Add($"vCPU {vcpu} put without being loaded");
            return;
        }

        _loadedOn[pcpu] = -1;
    }

    public void Blocking(int vcpu)
    {
    }

    public void Unblocking(int vcpu)
    {
    }

    private void Add(string message)
    {
        if (Violations.Count < 20)
        {
            Violations.Add(message);
        }
    }
}
