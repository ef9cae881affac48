using System.Globalization;
using Emu.Core.Contracts;
using Emu.Core.Model;
using Emu.Core.Results;
using Emu.Plugins.Svm;
using Emu.Tests.Fidelity.KvmRules;

namespace Emu.Tests.Devices;

/// <summary>Device scenarios: keys for a VM's devices, and the checks every device run must pass.</summary>
internal static class DeviceScenario
{
    /// <summary>Adds device <paramref name="index"/> of VM <paramref name="vm"/>: interrupts every <paramref name="intervalNs"/> to <paramref name="vcpus"/> in turn.</summary>
    public static Dictionary<string, string?> Device(
        this Dictionary<string, string?> keys, int index, long intervalNs, int vector, int[] vcpus, bool posted = true, double jitter = 0, int vm = 0, string? name = null)
    {
        string at = $"Vms:{vm}:Devices:{index}";
        var k = keys
            .With($"{at}:Name", name ?? $"dev{index}")
            .With($"{at}:IntervalNs", intervalNs.ToString(CultureInfo.InvariantCulture))
            .With($"{at}:Vector", vector.ToString(CultureInfo.InvariantCulture))
            .With($"{at}:Posted", posted ? "true" : "false")
            .With($"{at}:Jitter", jitter.ToString(CultureInfo.InvariantCulture));
        for (int i = 0; i < vcpus.Length; i++)
        {
            k = k.With($"{at}:Vcpus:{i}", vcpus[i].ToString(CultureInfo.InvariantCulture));
        }

        return k;
    }

    public static Probe Device(this Probe probe, long intervalNs, int vector, int vcpu, bool posted = true)
    {
        return probe.Set("Vms:0:Devices:0:Name", "dev0")
            .Set("Vms:0:Devices:0:IntervalNs", intervalNs.ToString(CultureInfo.InvariantCulture))
            .Set("Vms:0:Devices:0:Vector", vector.ToString(CultureInfo.InvariantCulture))
            .Set("Vms:0:Devices:0:Vcpus:0", vcpu.ToString(CultureInfo.InvariantCulture))
            .Set("Vms:0:Devices:0:Posted", posted ? "true" : "false");
    }

    /// <summary>Runs with the Svm plugin and a sink; the run must complete, and no device interrupt is lost.</summary>
    public static SimulationResult Run(Dictionary<string, string?> keys, ITraceSink? sink = null)
    {
        var b = Scenario.Builder(keys, new SvmPlugin());
        if (sink is not null)
        {
            b.AddTraceSink(sink);
        }

        using var sim = b.Build();
        var r = sim.Run();
        Assert.That(r.Failure, Is.Null, "the run failed");
        AssertNoneLost(r);
        return r;
    }

    /// <summary>Every device interrupt sent is accepted or still pending (none lost, none twice), in the totals, each VM and each device.</summary>
    public static void AssertNoneLost(SimulationResult r)
    {
        var all = new List<DeviceInterruptsResult> { r.Totals.DeviceInterrupts };
        foreach (var vm in r.Vms)
        {
            if (vm.DeviceInterrupts is { } d)
            {
                all.Add(d);
                all.AddRange(vm.Devices!.Select(x => x.Interrupts));
            }
        }

        foreach (var d in all)
        {
            Assert.That(d.Accepted + d.Pending, Is.EqualTo(d.Sent), "accepted + pending = sent");
            Assert.That(d.Posted + d.Remapped, Is.EqualTo(d.Sent), "posted + remapped = sent");
            Assert.That(d.ToRunningTarget + d.ToTargetInHost + d.Spurious, Is.EqualTo(d.Doorbells), "every doorbell landed somewhere");
            Assert.That(d.SpuriousOnForeignTask, Is.LessThanOrEqualTo(d.Spurious));
        }

        Assert.That(r.Totals.LostWakeups, Is.Zero, "no lost wake-up");
    }

    /// <summary>Records every device interrupt raised, in order: (target vCPU, vector).</summary>
    public sealed class RaiseLog : ITraceSink
    {
        public List<(int Vcpu, long Vector)> Raised { get; } = new();

        public void TaskSwitched(long time, int pcpu, int task)
        {
        }

        public void VcpuStateChanged(long time, int pcpu, int vcpu, VcpuState state)
        {
        }

        public void Instant(long time, int pcpu, TraceKind kind, int vcpu, long argument)
        {
            if (kind == TraceKind.DeviceInterrupt)
            {
                Raised.Add((vcpu, argument & 0xFF));
            }
        }
    }
}
