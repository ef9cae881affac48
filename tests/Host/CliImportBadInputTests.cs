namespace Emu.Tests.Host;

/// <summary>A trace emu import cannot use: exit code 2, one line naming the file and line and what was expected there, nothing written.</summary>
public class CliImportBadInputTests
{
    private const string Entry = "       CPU 0/KVM-4121  [000]  100.000010: kvm_entry:            vcpu 0, rip 0xffffffff81064a2e";

    private static (int Code, string Out, string Err) Import(Cli cli, string trace)
    {
        cli.Write("trace.txt", trace);
        return cli.Run("import", "trace.txt", "--out", Path.Combine("out", "replay.json"));
    }

    private static void AssertRefused(Cli cli, (int Code, string Out, string Err) run, string expected)
    {
        Assert.That(run.Code, Is.EqualTo(2), $"stdout: {run.Out}\nstderr: {run.Err}");
        Assert.That(run.Err, Does.StartWith("error: " + expected));
        Assert.That(run.Err.TrimEnd().Split('\n'), Has.Length.EqualTo(1), "one line");
        Assert.That(Directory.Exists(cli.OutDir), Is.False, "nothing written, not even the folder");
    }

    [Test]
    public void AMalformedLine_NamesFileLine_AndWhatWasExpected()
    {
        using var cli = new Cli();
        AssertRefused(cli, Import(cli, $"cpus=1\n{Entry}\nthis is not a trace line\n"),
            "trace.txt:3: expected '<comm>-<pid> [<cpu>] <seconds>.<fraction>: <event>: <fields>' (trace-cmd report), found 'this is not a trace line'");
    }

    [Test]
    public void AFirstLineOfNeitherFormat_NamesBoth()
    {
        using var cli = new Cli();
        AssertRefused(cli, Import(cli, "hello\n"), "trace.txt:1: expected an event line, '<comm>-<pid> [<cpu>]");
    }

    [Test]
    public void MalformedFields_OfAnEventTheImportUses_NameTheEventsFormat()
    {
        using var cli = new Cli();
        AssertRefused(cli, Import(cli, $"{Entry}\n       CPU 0/KVM-4121  [000]  100.000020: kvm_apic_ipi:         dst 1 vec 251 (Fixed)\n"),
            "trace.txt:2: kvm_apic_ipi: expected 'dst <hex> vec <n> (<mode>|<physical|logical>|<assert|de-assert>|<edge|level>|<dst|self|all|all-but-self>)', found 'dst 1 vec 251 (Fixed)'");
        AssertRefused(cli, Import(cli, $"{Entry}\n       CPU 0/KVM-4121  [000]  100.000020: kvm_exit:             vcpu zero\n"),
            "trace.txt:2: kvm_exit: expected 'vcpu <n> reason <reason> rip 0x<rip> ...' or 'reason <reason> rip 0x<rip> ...', found 'vcpu zero'");
    }

    [Test]
    public void NoVcpuThreads_IsAClearError()
    {
        using var cli = new Cli();
        AssertRefused(cli, Import(cli, "          <idle>-0     [001]  50.000143: sched_switch:         swapper/1:0 [120] R ==> bash:77 [120]\n"),
            "trace.txt: no vCPU threads: no kvm_entry or kvm_exit events and no thread named 'CPU N/KVM'");
    }

    [Test]
    public void ACpuBeyondAnyTopology_IsAClearError()
    {
        using var cli = new Cli();
        AssertRefused(cli, Import(cli, $"{Entry}\n       CPU 1/KVM-4122  [5000]  100.000020: kvm_entry:            vcpu 1, rip 0x1\n"),
            "trace.txt:2: CPU 5000: beyond the 4,096 pCPUs an Emu topology can have");
    }

    [Test]
    public void TimeGoingBackwards_IsAClearError()
    {
        using var cli = new Cli();
        AssertRefused(cli, Import(cli, $"{Entry}\n       CPU 1/KVM-4122  [001]  100.000005: kvm_entry:            vcpu 1, rip 0x1\n"),
            "trace.txt:2: time goes backwards: 100.000005 after 100.000010 on the line before");
    }

    [Test]
    public void AMissingOrEmptyTrace_IsAClearError()
    {
        using var cli = new Cli();
        AssertRefused(cli, cli.Run("import", "absent.txt", "--out", Path.Combine("out", "replay.json")), "absent.txt: no such trace file");
        AssertRefused(cli, Import(cli, "cpus=4\n\n"), "trace.txt: no event lines");
    }

    [Test]
    public void AVcpuIdBeyondAVm_IsAClearError()
    {
        using var cli = new Cli();
        AssertRefused(cli, Import(cli, "       CPU 300/KVM-4121  [000]  100.000010: kvm_entry:            vcpu 300, rip 0x1\n"),
            "trace.txt: thread 4121 ('CPU 300/KVM') is vCPU 300; an Emu VM has at most 255 vCPUs");
    }

    [Test]
    public void OutMustBeGiven()
    {
        using var cli = new Cli();
        cli.Write("trace.txt", Entry);
        var (code, _, stderr) = cli.Run("import", "trace.txt");
        Assert.That(code, Is.EqualTo(2));
        Assert.That(stderr, Does.Contain("--out"));
    }
}
