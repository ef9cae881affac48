namespace Emu.Tests.Host;

/// <summary>docs/errors.md's table is what emu prints: each row's command runs here, and its line must match.</summary>
public class ErrorsDocTests
{
    private static IEnumerable<TestCaseData> Rows()
    {
        var lines = File.ReadAllLines(Path.Combine(Cli.RepoRoot, "docs", "errors.md"));
        foreach (string line in lines.Where(l => l.StartsWith("| `emu ", StringComparison.Ordinal)))
        {
            var cells = line.Split(" | ");
            string command = cells[0][3..].Trim('`');
            string expected = cells[1].Trim().TrimEnd('|').Trim().Trim('`');
            yield return new TestCaseData(command, expected).SetName(command.Length > 60 ? command[..60] : command);
        }
    }

    [TestCaseSource(nameof(Rows))]
    public void TheTable_IsWhatEmuPrints(string command, string expected)
    {
        using var cli = new Cli();
        cli.Write("taken.txt", "x");
        Directory.CreateDirectory(Path.Combine(cli.WorkDir, "a-folder"));
        Directory.CreateDirectory(Path.Combine(cli.WorkDir, "a-folder-with-a-file"));
        cli.Write(Path.Combine("a-folder-with-a-file", "notes.txt"), "x");
        cli.Write("novms.json", """{ "Vms": [] }""");
        cli.Write("broken.json", "{\n  \"Simulation\": { \"Seed\": 1 }\n  \"Topology\": {}\n}");
        cli.Write("twice.json", "{\n  \"Simulation\": { \"Seed\": 1 },\n  \"simulation\": { \"DurationUs\": 5 }\n}");
        const string entry = "       CPU 0/KVM-4121  [000]  100.000010: kvm_entry:            vcpu 0, rip 0xffffffff81064a2e\n";
        cli.Write("malformed.txt", entry + "not a trace line\n");
        cli.Write("novcpus.txt", "          <idle>-0     [001]  100.000010: sched_switch:         swapper/1:0 [120] R ==> bash:77 [120]\n");
        cli.Write("backwards.txt", entry + "       CPU 1/KVM-4122  [001]  100.000005: kvm_entry:            vcpu 1, rip 0x1\n");
        cli.Write("cpu5000.txt", "       CPU 0/KVM-4121  [5000]  100.000010: kvm_entry:            vcpu 0, rip 0x1\n");
        File.WriteAllBytes(Path.Combine(cli.WorkDir, "latin1.json"), [.. "{ \"Vms\": [ { \"Name\": \"caf"u8.ToArray(), 0xE9, .. "\" } ] }"u8.ToArray()]);

        string[] args = command["emu ".Length..].Split(' ');
        var (code, _, stderr) = cli.Run(args);
        Assert.That(code, Is.EqualTo(2), stderr);
        string first = stderr.Split('\n').First(l => !l.Contains("Required command", StringComparison.Ordinal)).TrimEnd('\r');
        int at = 0;
        foreach (string part in expected.Split('…'))
        {
            int found = first.IndexOf(part, at, StringComparison.Ordinal);
            Assert.That(found, Is.GreaterThanOrEqualTo(0), $"docs/errors.md says\n  {expected}\nemu printed\n  {first}");
            at = found + part.Length;
        }

        Assert.That(first, Does.EndWith(expected.Split('…')[^1]), "the line ends as documented");
    }
}
