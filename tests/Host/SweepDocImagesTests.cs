namespace Emu.Tests.Host;

/// <summary>
/// docs/results.md's worked example shows two plots of its real sweep; with GOLDEN_UPDATE=1 this test runs that
/// sweep (at 20 ms, 3 seeds, to stay quick) and copies them to docs/images. Otherwise it checks the doc and the images agree.
/// </summary>
public class SweepDocImagesTests
{
    private static readonly string[] Images = { "vmExits-avicIncompleteIpi-targetNotRunning.png", "stolenNsOnForeignTasks.png", "deviceInterrupts-spuriousOnForeignTask.png" };

    [Test]
    public void TheWorkedExamplesPlots_ComeFromItsSweep()
    {
        string docs = Path.Combine(Cli.RepoRoot, "docs");
        if (Environment.GetEnvironmentVariable("GOLDEN_UPDATE") == "1")
        {
            using var cli = new Cli();
            string dir = Path.Combine(cli.WorkDir, "sw");
            var (code, _, stderr) = cli.Run("sweep", "--config", Cli.Scenario("overcommit-io.json"), "--vary", "Svm:AvicDoorbellStrict=true,false",
                "--vary", "HostTasks:PerCpu=0,1", "--replications", "3", "--set", "Simulation:DurationUs=20000", "--out", dir);
            Assert.That(code, Is.EqualTo(0), stderr);
            foreach (string image in Images)
            {
                File.Copy(Path.Combine(dir, "plots", image), Path.Combine(docs, "images", "sweep-" + image), overwrite: true);
            }
        }

        string text = File.ReadAllText(Path.Combine(docs, "results.md"));
        foreach (string image in Images)
        {
            string path = Path.Combine(docs, "images", "sweep-" + image);
            Assert.That(File.Exists(path), Is.True, $"{path}: re-record with GOLDEN_UPDATE=1");
            Assert.That(File.ReadAllBytes(path).Take(4), Is.EqualTo(new byte[] { 0x89, 0x50, 0x4E, 0x47 }));
            Assert.That(text, Does.Contain("images/sweep-" + image), "the worked example shows it");
        }
    }
}
