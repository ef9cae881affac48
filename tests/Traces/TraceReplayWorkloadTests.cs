using Emu.Core.Contracts;
using Emu.Core.Model;
using Emu.Core.Workloads;
using Emu.Plugins.Svm;

namespace Emu.Tests.Traces;

/// <summary>
/// The TraceReplay workload: its actions file round-trips every action, is read without allocating per action,
/// and a replay runs its vCPUs' recorded actions in order under Emu's model, then halts them.
/// </summary>
public class TraceReplayWorkloadTests
{
    private string _folder = null!;

    [SetUp]
    public void CreateFolder() => _folder = Directory.CreateTempSubdirectory("emu-replay-").FullName;

    [TearDown]
    public void DeleteFolder() => Directory.Delete(_folder, recursive: true);

    /// <summary>Writes an actions file of one VM whose vCPU i replays <c>vcpus[i]</c>.</summary>
    private string Write(params GuestAction[][] vcpus) => WriteAs("vm0.actions", vcpus);

    private string WriteAs(string name, params GuestAction[][] vcpus)
    {
        string path = Path.Combine(_folder, name);
        using var writer = new ReplayActionsFileWriter(Path.Combine(_folder, "staging"));
        var streams = new List<int>();
        foreach (var actions in vcpus)
        {
            int s = writer.AddStream();
            foreach (var a in actions)
            {
                writer.Append(s, a);
            }

            streams.Add(s);
        }

        using (var output = File.Create(path))
        {
            writer.WriteFile(output, streams, recordedNs: 1_000_000);
        }

        return path;
    }

    [Test]
    public void TheActionsFile_RoundTripsEveryKindAndExtremeValues()
    {
        var actions = new[]
        {
            GuestAction.Compute(1), GuestAction.Compute(long.MaxValue), GuestAction.SendIpi(new Icr(ulong.MaxValue)),
            GuestAction.SendIpi(Icr.Fixed(0xFB, 3)), GuestAction.Halt(0), GuestAction.Halt(1_000_000_000),
            GuestAction.Userspace(12_345), GuestAction.Mmio(0),
        };
        string path = Write(actions, Array.Empty<GuestAction>());
        var read = TraceExcerpt.ReadActions(path);
        Assert.That(read[0], Is.EqualTo(actions));
        Assert.That(read[1], Is.Empty);
        Assert.That(ReplayActionsHeader.Read(path).Vectors(), Is.EqualTo(new byte[] { 0xFB, 0xFF }));
    }

    [Test]
    public void TheWriter_RefusesActionsARecordingCannotHold()
    {
        using var writer = new ReplayActionsFileWriter(Path.Combine(_folder, "staging"));
        int s = writer.AddStream();
        Assert.Throws<ArgumentException>(() => writer.Append(s, GuestAction.SpinWait));
        Assert.Throws<ArgumentException>(() => writer.Append(s, GuestAction.Compute(-1)));
    }

    [Test]
    public void Reading_AllocatesNothingPerAction()
    {
        var many = Enumerable.Range(0, 200_000).Select(i => i % 3 == 0 ? GuestAction.SendIpi(Icr.Fixed(0xFB, 1)) : GuestAction.Compute(1000 + i)).ToArray();
        var header = ReplayActionsHeader.Read(Write(many));
        var workload = new TraceReplayWorkload(Path.Combine(_folder, "vm0.actions"), header);
        for (int i = 0; i < 1000; i++)
        {
            workload.Next(0);
        }

        long before = GC.GetAllocatedBytesForCurrentThread();
        long sum = 0;
        for (int i = 1000; i < many.Length; i++)
        {
            sum += workload.Next(0).DurationNs;
        }

        Assert.That(GC.GetAllocatedBytesForCurrentThread() - before, Is.Zero);
        Assert.That(workload.Next(0), Is.EqualTo(GuestAction.Halt(0)), "after the recording: halt, with no timeout");
        Assert.That(sum, Is.GreaterThan(0));
        workload.Dispose();
        var closed = new TraceReplayWorkload(Path.Combine(_folder, "vm0.actions"), header);
        closed.Dispose();
        Assert.Throws<ObjectDisposedException>(() => closed.Next(0), "Dispose closes the file");
    }

    /// <summary>vCPU 0 computes and sends vCPU 1 two IPIs; vCPU 1 halts with a long timeout, so the IPIs wake it.</summary>
    private Dictionary<string, string?> PingScenario(string strict) => Scenario.Defaults()
        .With("Simulation:DurationUs", "2000")
        .With("Vms:0:Vcpus", "2")
        .With("Vms:0:Workload:Kind", "TraceReplay")
        .With("Vms:0:Workload:ActionsFile", Write(
            new[] { GuestAction.Compute(100_000), GuestAction.SendIpi(Icr.Fixed(0xFB, 1)), GuestAction.Compute(300_000), GuestAction.SendIpi(Icr.Fixed(0xFB, 1)), GuestAction.Userspace(50_000) },
            new[] { GuestAction.Halt(1_000_000_000), GuestAction.Compute(20_000), GuestAction.Halt(1_000_000_000), GuestAction.Compute(20_000) }))
        .With("Svm:AvicDoorbellStrict", strict);

    [TestCase("true")]
    [TestCase("false")]
    public void AReplay_IssuesTheRecordedActions_AndTheModelWakesTheHalts(string strict)
    {
        using var sim = Scenario.Builder(PingScenario(strict), new SvmPlugin()).Build();
        var r = sim.Run();
        Assert.That(r.Failure, Is.Null);
        var vcpus = r.Vms[0].Vcpus;
        Assert.That(vcpus[0].IpisSent, Is.EqualTo(2));
        Assert.That(vcpus[0].UserspaceExits, Is.EqualTo(1));
        Assert.That(vcpus[1].IpisReceived, Is.EqualTo(2));
        Assert.That(vcpus[1].Wakeups, Is.EqualTo(2), "each IPI woke the halted vCPU 1 long before its timeout");
        Assert.That(r.Totals.LostWakeups, Is.Zero);
        Assert.That(vcpus[1].HltExits, Is.EqualTo(3), "two recorded halts, then the halt that ends every replay");
    }

    /// <summary>
    /// A recorded userspace exit's length is its whole time out of guest mode (kvm_exit to kvm_entry): the replay leaves
    /// Emu's exit and round-trip costs out of the VMM's part, so the vCPU spends exactly that long in userspace.
    /// </summary>
    [Test]
    public void AReplayedUserspaceExit_LastsAsLongAsRecorded()
    {
        var keys = Scenario.Defaults()
            .With("Simulation:DurationUs", "200")
            .With("Vms:0:Vcpus", "1")
            .With("Vms:0:Workload:Kind", "TraceReplay")
            .With("Vms:0:Workload:ActionsFile", Write(new[] { GuestAction.Compute(10_000), GuestAction.Userspace(50_000), GuestAction.Compute(1_000_000) }));
        using var sim = Scenario.Builder(keys, new SvmPlugin()).Build();
        var r = sim.Run();
        Assert.That(r.Failure, Is.Null);
        Assert.That((r.Vms[0].Vcpus[0].UserspaceExits, r.Vms[0].Vcpus[0].UserspaceNs), Is.EqualTo((1L, 50_000L)));
    }

    /// <summary>
    /// An exit in the middle of a compute burst (here the external-interrupt exits of a remapped device's MSIs, every
    /// 20 µs) does not end the burst: VMRUN returns to the same instruction and the guest computes on, so a 1 ms burst
    /// takes its 1 ms of guest time (then the vCPU halts, and each MSI wakes it briefly). (Emu used to drop the rest of an interrupted burst.)
    /// </summary>
    [TestCase("false")]
    [TestCase("true")]
    public void AComputeBurst_InterruptedByExits_RunsToItsEnd(string avic)
    {
        var keys = Scenario.Defaults()
            .With("Simulation:DurationUs", "3000")
            .With("Vms:0:Vcpus", "1")
            .With("Svm:Avic", avic)
            .With("Vms:0:Workload:Kind", "TraceReplay")
            .With("Vms:0:Workload:ActionsFile", Write(new[] { GuestAction.Compute(1_000_000), GuestAction.Halt(0) }))
            .With("Vms:0:Devices:0:Name", "nic")
            .With("Vms:0:Devices:0:IntervalNs", "20000")
            .With("Vms:0:Devices:0:Vector", "64")
            .With("Vms:0:Devices:0:Vcpus:0", "0")
            .With("Vms:0:Devices:0:Posted", "false");
        using var sim = Scenario.Builder(keys, new SvmPlugin()).Build();
        var r = sim.Run();
        Assert.That(r.Failure, Is.Null);
        var v = r.Vms[0].Vcpus[0];
        Assert.Multiple(() =>
        {
            Assert.That(r.Totals.VmExits.ExternalInterrupt, Is.GreaterThan(30), "the device's MSIs interrupt the burst");
            Assert.That(v.GuestNs, Is.GreaterThanOrEqualTo(1_000_000L), "the whole burst ran in guest mode");
        });
    }

    [Test]
    public void ADamagedActionsFile_StopsTheRun_SayingWhere()
    {
        string path = WriteAs("damaged.actions", new[] { GuestAction.Compute(100_000), GuestAction.Compute(100_000) }, new[] { GuestAction.Halt(0) });
        var bytes = File.ReadAllBytes(path);
        long offset = ReplayActionsHeader.Read(path).Vcpus[0].Offset;
        bytes[offset + 4] = 0x7F; // the second action's tag
        File.WriteAllBytes(path, bytes);
        var keys = PingScenario("true").With("Vms:0:Workload:ActionsFile", path);
        using var sim = Scenario.Builder(keys, new SvmPlugin()).Build();
        var r = sim.Run();
        Assert.That(r.Failure, Does.Contain($"{path}: vCPU 0's actions are damaged at byte {offset + 4}"));
    }

    [Test]
    public void TheWorkloadsKeys_AreChecked()
    {
        var keys = Scenario.Defaults().With("Vms:0:Workload:Kind", "TraceReplay");
        var errors = Scenario.Builder(keys).Validate();
        Assert.That(errors, Has.Some.StartsWith("Vms:0:Workload:ActionsFile: required"));
        errors = Scenario.Builder(keys.With("Vms:0:Workload:ActionsFile", Write(Array.Empty<GuestAction>())).With("Vms:0:Workload:Speed", "2")).Validate();
        Assert.That(errors, Has.Some.EqualTo("Vms:0:Workload:Speed: unknown key (known: ActionsFile, Kind)"));
    }
}
