using Emu.Core.Building;
using Emu.Core.Contracts;
using Emu.Core.Machine;
using Emu.Core.Model;
using Emu.Core.Results;
using Emu.Plugins.Schedulers;
using Emu.Plugins.Svm;
using Emu.Tests.Host;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;

namespace Emu.Tests;

/// <summary>
/// The lost-wake-up watch (LostWakeupWatch) asks awaiting vCPUs again only when a handled exit named them or they were
/// stirred (issue 19). That is a shortcut of one rule: the same runs with every awaiting vCPU asked in full
/// after every change must watch the same vCPUs in the same order after every event and give byte-identical results,
/// lost wake-ups (their vCPUs, times, order and details) included.
/// </summary>
public class LostWakeupWatchTests
{
    private static IEnumerable<TestCaseData> Runs()
    {
        yield return new TestCaseData(null, Svm.Erratum1235Tests.HaltHeavy(), true).SetName("erratum 1235, halt-heavy (lost wake-ups)");
        yield return new TestCaseData(null, FourVms().With("Svm:Erratum1235WindowNs", "20000").With("Simulation:CheckInvariants", "false"), true)
            .SetName("four over-committed VMs with erratum 1235 (lost wake-ups)");
        yield return new TestCaseData(null, FourVms().With("Svm:AvicDoorbellStrict", "false"), false).SetName("four over-committed VMs, non-strict");
        yield return new TestCaseData(null, FourVms().With("Simulation:CheckInvariants", "false").With("Forgetful", "true").With("Vms:0:Workload:HaltTimeoutNs", "100000")
            .With("Vms:1:Workload:HaltTimeoutNs", "100000").With("Vms:2:Workload:HaltTimeoutNs", "100000").With("Vms:3:Workload:HaltTimeoutNs", "100000"), true)
            .SetName("four over-committed VMs, exit handlers that forget a wake-up (lost wake-ups while awaiting)");
        yield return new TestCaseData(null, FourVms().With("Costs:VmExitNs", "0").With("Vms:0:Workload:ComputeNs", "1").With("Vms:1:Workload:ComputeNs", "1"), false)
            .SetName("four over-committed VMs, exits of no time and back-to-back ICR writes (the handler still runs before VMRUN)");
        yield return new TestCaseData("nested-overcommit.json", Overrides(
                ("Vms:1:Name", "l1b"), ("Vms:1:Vcpus", "4"), ("Vms:1:Workload:Kind", "Mixed"), ("Vms:1:Workload:Halt", "0.3"),
                ("Vms:1:Nested:Vcpus", "4"), ("Vms:1:Nested:Workload:Kind", "Mixed"), ("Vms:1:Nested:Workload:Ipi", "1.0"),
                ("Vms:1:Nested:Workload:Halt", "0.3"), ("Vms:1:Nested:L2Share", "0.7")), false)
            .SetName("nested-overcommit with two L1 VMs (L0 wakes an L1 vCPU without an IRR bit)");
        yield return new TestCaseData("devices-nvme.json", Overrides(), false).SetName("devices-nvme (GA-log wake-ups)");
        yield return new TestCaseData("large-overcommit.json", Overrides(("Simulation:DurationUs", "400"), ("Simulation:CheckInvariants", "false")), false)
            .SetName("large-overcommit, 4,096 vCPUs");
    }

    /// <summary>Four 4-vCPU VMs that halt and send IPIs on four pCPUs: exit handlers in one VM while vCPUs of the others await theirs.</summary>
    private static Dictionary<string, string?> FourVms()
    {
        var keys = Scenario.Defaults().With("Topology:CoresPerSocket", "2").With("Scheduler:Policy", "RoundRobin").With("Kvm:HaltPollNs", "0");
        for (int vm = 0; vm < 4; vm++)
        {
            keys = keys.With($"Vms:{vm}:Name", $"vm{vm}").With($"Vms:{vm}:Vcpus", "4").With($"Vms:{vm}:Workload:Kind", "Mixed")
                .With($"Vms:{vm}:Workload:Halt", "0.5");
        }

        return keys;
    }

    private static Dictionary<string, string?> Overrides(params (string Key, string Value)[] keys)
    {
        var d = new Dictionary<string, string?>(StringComparer.OrdinalIgnoreCase) { ["Simulation:DurationUs"] = "20000" };
        foreach (var (key, value) in keys)
        {
            d[key] = value;
        }

        return d;
    }

    [TestCaseSource(nameof(Runs))]
    public void Shortcuts_GiveTheResultsOfAskingEveryTime(string? scenario, Dictionary<string, string?> keys, bool losesWakeups)
    {
        using var fast = Build(scenario, keys, askEveryTime: false);
        using var full = Build(scenario, keys, askEveryTime: true);

        // In lockstep: after every event both watch the same vCPUs in the same order (which decides the reports' order).
        long awaited = 0;
        while (!fast.IsFinished)
        {
            fast.Step();
            full.Step();
            int[] a = fast.Internals.Monitor.Wakeups.AwaitingInOrder();
            int[] b = full.Internals.Monitor.Wakeups.AwaitingInOrder();
            awaited += a.Length;
            if (!a.SequenceEqual(b))
            {
                Assert.Fail($"after event {fast.EventsDispatched} at {fast.Now} ns: awaiting [{string.Join(", ", a)}] against [{string.Join(", ", b)}]");
            }
        }

        Assert.That(full.IsFinished, Is.True);
        var r = fast.GetResult();
        Assert.That(awaited, Is.GreaterThan(0), "vCPUs awaited exit handlers");
        Assert.That(fast.Internals.Monitor.Wakeups.KeptUnasked, Is.GreaterThan(0), "the shortcut was taken (it skips the vCPUs for which nothing moved)");

        Assert.That(full.Internals.Monitor.Wakeups.KeptUnasked, Is.Zero);
        Assert.That(r.Failure, Is.Null);
        Assert.That(r.Events, Is.GreaterThan(1000));
        Assert.That(r.LostWakeups, losesWakeups ? Is.Not.Empty : Is.Empty);
        Assert.That(ResultJson.Serialize(r with { WallSeconds = 0 }), Is.EqualTo(ResultJson.Serialize(full.GetResult() with { WallSeconds = 0 })));
    }

    private static Simulation Build(string? scenario, Dictionary<string, string?> keys, bool askEveryTime)
    {
        var configuration = new ConfigurationBuilder();
        if (scenario is not null)
        {
            configuration.AddJsonFile(Cli.Scenario(scenario));
        }

        configuration.AddInMemoryCollection(keys.Where(k => k.Key != "Forgetful"));
        var builder = new EmuBuilder().UseConfiguration(configuration.Build()).AddPlugin(new SchedulersPlugin());
        builder.AddPlugin(keys.ContainsKey("Forgetful") ? new ForgetfulPlugin() : new SvmPlugin());
        if (scenario?.StartsWith("nested", StringComparison.Ordinal) == true)
        {
            builder.AddPlugin(new Emu.Plugins.NestedSvm.NestedSvmPlugin());
        }

        var sim = builder.Build();
        sim.Internals.Monitor.Wakeups.AskEveryTime = askEveryTime;
        return sim;
    }

    /// <summary>
    /// AVIC's order without AVIC: the ICR write sets the targets' IRR bits and exits, and the exit's handler wakes the
    /// blocked targets, except that every third handler forgets to. Its losses are found only on the awaiting path,
    /// when the handler that named a vCPU has run.
    /// </summary>
    private sealed class ForgetfulController : IInterruptVirtualization, IInterruptDelivery
    {
        private readonly EmulatedInterruptController _kvm = new();
        private IVirtualizationContext _host = null!;
        private bool? _waking; // null: KVM's own deliveries (timers), which set the IRR and wake as KVM does
        private int _handled;

        public string Name => "forgetful";

        public void Initialize(IVirtualizationContext context)
        {
            _host = context;
            _kvm.Initialize(context);
        }

        public IcrWriteOutcome WriteIcr(int sender, Icr icr)
        {
            _waking = false;
            EmulatedInterruptController.EmulateIcrWrite(_host, sender, icr, this);
            _waking = null;
            return IcrWriteOutcome.Trap(icr);
        }

        public long HandleExit(int sender, in IcrWriteOutcome exit)
        {
            if (++_handled % 3 != 0)
            {
                _waking = true;
                EmulatedInterruptController.EmulateIcrWrite(_host, sender, new Icr(exit.ExitInfo1), this);
                _waking = null;
            }

            return 0;
        }

        public bool DeliverInterrupt(int target, byte vector)
        {
            if (_waking is null)
            {
                return _kvm.DeliverInterrupt(target, vector);
            }

            if (_waking.Value)
            {
                return _host.Targets.WakeUp(target);
            }

            bool fresh = _host.Targets.SetIrr(target, vector);
            if (_host.Machine.StateOf(target) == VcpuState.InGuest)
            {
                _host.Targets.AcceptInGuest(target);
            }

            return fresh;
        }
    }

    private sealed class ForgetfulPlugin : IEmuPlugin
    {
        public string Name => "Forgetful";

        public Version Version => new(1, 0);

        public Version ContractVersion => EmuContract.Version;

        public void ConfigureServices(IServiceCollection services, IConfiguration configuration) =>
            services.AddSingleton<IInterruptVirtualization, ForgetfulController>();
    }
}
