namespace Emu.Tests.Host;

/// <summary>Every path a run will write is checked before it starts: exit 2 and one line naming the path.</summary>
public class CliOutputPathTests
{
    [Test]
    public void OutIsAnExistingFile()
    {
        using var cli = new Cli();
        string file = cli.Write("taken", "x");
        var (code, stdout, stderr) = cli.Run("run", "--out", file);
        Assert.That(code, Is.EqualTo(2), stdout);
        Assert.That(stderr.Trim(), Is.EqualTo($"error: --out {file}: is a file, not a folder"));
        Assert.That(stdout, Does.Not.Contain("IPIs sent"), "refused before the run");
    }

    [Test]
    public void OutCannotBeCreated()
    {
        using var cli = new Cli();
        var (code, _, stderr) = cli.Run("run", "--out", "/proc/emu-out");
        Assert.That(code, Is.EqualTo(2));
        Assert.That(stderr.Trim(), Does.StartWith("error: --out /proc/emu-out: cannot create the folder ("));
        Assert.That(stderr.Trim().Split('\n'), Has.Length.EqualTo(1));
    }

    [Test]
    public void TraceIsAFolder()
    {
        using var cli = new Cli();
        var (code, _, stderr) = cli.RunShort("--trace", cli.WorkDir);
        Assert.That(code, Is.EqualTo(2));
        Assert.That(stderr.Trim(), Is.EqualTo($"error: --trace {cli.WorkDir}: is a folder, not a file"));
        Assert.That(File.Exists(cli.ResultFile), Is.False, "refused before the run");
    }

    [Test]
    public void TraceCannotBeWritten()
    {
        using var cli = new Cli();
        var (code, _, stderr) = cli.RunShort("--trace", "/proc/x.json");
        Assert.That(code, Is.EqualTo(2));
        Assert.That(stderr.Trim(), Does.StartWith("error: --trace /proc/x.json: cannot write it ("));
    }

    [Test]
    public void BadInputLeavesNoFolderBehind()
    {
        using var cli = new Cli();
        string nested = Path.Combine(cli.WorkDir, "a", "b");
        var (code, _, _) = cli.Run("run", "--out", nested, "--trace", Path.Combine(cli.WorkDir, "c", "t.json"), "--set", "Simulation:DurationUs=-1");
        Assert.That(code, Is.EqualTo(2));
        Assert.That(Directory.Exists(Path.Combine(cli.WorkDir, "a")), Is.False);
        Assert.That(Directory.Exists(Path.Combine(cli.WorkDir, "c")), Is.False);
    }
}
