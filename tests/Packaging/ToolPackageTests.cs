using System.IO.Compression;

namespace Emu.Tests.Packaging;

/// <summary>`emu` as a .NET tool: Emu.Cli packs with its plugins and the supported platforms' native assets only, installs, and runs.</summary>
public class ToolPackageTests
{
    private static readonly string[] Platforms = { "linux-x64", "linux-arm64", "osx", "win-x64" };

    [Test]
    public void EmuCli_PacksUnder40MB_InstallsAsATool_AndRuns()
    {
        string scratch = Path.Combine(Path.GetTempPath(), "emu-tool-" + Guid.NewGuid().ToString("N")[..8]);
        try
        {
            string feed = Path.Combine(scratch, "feed");
            Dotnet.Ok(Emu.Tests.Host.Cli.RepoRoot, "pack", "host/Emu.Host.csproj", "-c", "Release", "-o", feed, "--disable-build-servers");
            string package = Directory.GetFiles(feed, "Emu.Cli.*.nupkg").Single();
            Assert.That(new FileInfo(package).Length, Is.LessThan(40L << 20), "at most 40 MB");

            using (var zip = ZipFile.OpenRead(package))
            {
                var names = zip.Entries.Select(e => e.FullName).ToList();
                var runtimes = names.Where(n => n.Contains("/runtimes/", StringComparison.Ordinal)).Select(n => n.Split("/runtimes/")[1].Split('/')[0]).Distinct().ToList();
                Assert.That(runtimes, Is.SubsetOf(Platforms), "native assets only for the supported platforms");
                Assert.That(names, Has.Some.EndsWith("plugins/Svm/Emu.Plugins.Svm.dll"));
                Assert.That(names, Has.Some.EqualTo("LICENSE").And.Some.EqualTo("README.md"), "package metadata");
                Assert.That(names, Has.Some.EndsWith("appsettings.json"), "the default scenario travels with the tool");
            }

            string tools = Path.Combine(scratch, "tools");
            Dotnet.Ok(scratch, "tool", "install", "--tool-path", tools, "--add-source", feed, "Emu.Cli");
            var psi = new System.Diagnostics.ProcessStartInfo(Path.Combine(tools, "emu")) { WorkingDirectory = scratch, RedirectStandardOutput = true, RedirectStandardError = true };
            foreach (string a in new[] { "run", "--out", "out", "--set", "Simulation:DurationUs=500", "-v", "m" })
            {
                psi.ArgumentList.Add(a);
            }

            using var p = System.Diagnostics.Process.Start(psi)!;
            string stderr = p.StandardError.ReadToEnd();
            Assert.That(p.WaitForExit(120_000), Is.True);
            Assert.That(p.ExitCode, Is.EqualTo(0), stderr);
            var result = System.Text.Json.Nodes.JsonNode.Parse(File.ReadAllText(Path.Combine(scratch, "out", "result.json")))!;
            Assert.That(result["producer"]!["plugins"]!.AsArray(), Has.Count.EqualTo(3), "the installed tool finds its plugins");
        }
        finally
        {
            if (Directory.Exists(scratch))
            {
                Directory.Delete(scratch, recursive: true);
            }
        }
    }
}
