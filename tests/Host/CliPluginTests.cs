using System.Security.Cryptography;

namespace Emu.Tests.Host;

/// <summary>Plugins loaded at run time from folders in their own load contexts, as users and third parties ship them.</summary>
public class CliPluginTests
{
    private static string TestPlugins => Path.Combine(AppContext.BaseDirectory, "testplugins");

    [Test]
    public void Plugins_ListsTheThreeBuiltIns_WithContract_Path_AndHash()
    {
        using var cli = new Cli();
        var (code, stdout, stderr) = cli.Run("plugins");
        Assert.That(code, Is.EqualTo(0), stderr);
        foreach (var (name, file) in new[] { ("Svm", "Svm/Emu.Plugins.Svm.dll"), ("Schedulers", "Schedulers/Emu.Plugins.Schedulers.dll"), ("NestedSvm", "NestedSvm/Emu.Plugins.NestedSvm.dll") })
        {
            string path = Path.Combine(Cli.HostDir, "plugins", file);
            string hash = Convert.ToHexStringLower(SHA256.HashData(File.ReadAllBytes(path)));
            Assert.That(stdout, Does.Contain(name + Environment.NewLine));
            Assert.That(stdout, Does.Contain(path));
            Assert.That(stdout, Does.Contain(hash), name);
        }

        Assert.That(stdout, Does.Contain($"contract  {Emu.Core.Contracts.EmuContract.Version}"));
    }

    [Test]
    public void ThirdPartyPlugin_FromAFolder_AddsAPolicyTheRunUses()
    {
        using var cli = new Cli();
        var listed = cli.Run("plugins", "--set", $"Plugins:Directories:0={TestPlugins}");
        Assert.That(listed.Out, Does.Contain("TestFifo").And.Contain("version   1.2.3"));

        var (code, stdout, stderr) = cli.RunShort("--set", $"Plugins:Directories:0={TestPlugins}", "--set", "Scheduler:Policy=TestFifo");
        Assert.That(code, Is.EqualTo(0), stderr);
        Assert.That(stdout, Does.Contain("TestFifo"));
        Assert.That((long)cli.Result()["totals"]!["ipisDelivered"]!, Is.GreaterThan(0));
    }

    [Test]
    public void UnknownPolicy_ListsThirdPartyPolicies_Too()
    {
        using var cli = new Cli();
        CliBadInputTests.AssertRefused(cli, cli.RunShort("--set", $"Plugins:Directories:0={TestPlugins}", "--set", "Scheduler:Policy=Nope"),
            "known: Pinned, RoundRobin, Fair, SmtPack, SmtSpread, NumaLocal, Random, TestFifo");
    }

    [Test]
    public void PluginThatThrowsWhileRegistering_IsNamed()
    {
        using var cli = new Cli();
        CliBadInputTests.AssertRefused(cli, cli.RunShort("--set", $"Plugins:Directories:0={TestPlugins}", "--set", "TestFifo:ThrowOnRegister=true"),
            "plugin 'TestFifo' failed while registering its services: InvalidOperationException: asked to fail by TestFifo:ThrowOnRegister");
    }

    [Test]
    public void IncompatibleContract_IsRefused_NamingBothVersions()
    {
        using var cli = new Cli();
        string dir = Path.Combine(AppContext.BaseDirectory, "incompatibleplugins");
        CliBadInputTests.AssertRefused(cli, cli.RunShort("--set", $"Plugins:Directories:0={dir}"),
            "plugin 'Future' (");
        Assert.That(cli.RunShort("--set", $"Plugins:Directories:0={dir}").Err, Does.Contain($"was built for Emu contract {Emu.Core.Contracts.EmuContract.Major + 1}.0; this emu provides contract {Emu.Core.Contracts.EmuContract.Version}"));
    }

    [Test]
    public void BrokenAssembly_IsRefused_NamingTheFile()
    {
        using var cli = new Cli();
        string folder = Directory.CreateDirectory(Path.Combine(cli.WorkDir, "plugins", "Broken")).FullName;
        File.WriteAllBytes(Path.Combine(folder, "Broken.dll"), new byte[] { 0x4D, 0x5A, 1, 2, 3, 4 });
        CliBadInputTests.AssertRefused(cli, cli.RunShort("--set", "Plugins:Directories:0=plugins"), Path.Combine(folder, "Broken.dll"));
    }

    [Test]
    public void AFolderWithoutAnEmuPlugin_IsRefused()
    {
        using var cli = new Cli();
        string folder = Directory.CreateDirectory(Path.Combine(cli.WorkDir, "plugins", "NUnitish")).FullName;
        File.Copy(typeof(Assert).Assembly.Location, Path.Combine(folder, "NUnitish.dll"));
        CliBadInputTests.AssertRefused(cli, cli.RunShort("--set", "Plugins:Directories:0=plugins"), "no public class implements IEmuPlugin");
    }

    [Test]
    public void DisabledPlugin_IsNotLoaded()
    {
        using var cli = new Cli();
        var listed = cli.Run("plugins", "--set", "Plugins:Disabled:0=NestedSvm");
        Assert.That(listed.Code, Is.EqualTo(0), listed.Err);
        Assert.That(listed.Out, Does.Not.Contain("NestedSvm").And.Contain("Svm"));
        var (code, _, stderr) = cli.RunShort("--set", "Plugins:Disabled:0=NestedSvm");
        Assert.That(code, Is.EqualTo(0), stderr);
    }

    [Test]
    public void DisabledSvm_WithItsKeysStillSet_ExplainsWhyTheKeysAreUnknown()
    {
        using var cli = new Cli();
        CliBadInputTests.AssertRefused(cli, cli.RunShort("--set", "Plugins:Disabled:0=Svm"), "Costs:DoorbellNs: unknown key");
        Assert.That(cli.RunShort("--set", "Plugins:Disabled:0=Svm").Err, Does.Contain("set Svm:Avic=false"));
    }

    [Test]
    public void AvicOff_RunsCoresEmulatedPath_WithNoDoorbells()
    {
        using var cli = new Cli();
        var (code, stdout, stderr) = cli.RunShort("--set", "Svm:Avic=false");
        Assert.That(code, Is.EqualTo(0), stderr);
        Assert.That(stdout, Does.Contain("emulated"));
        var totals = cli.Result()["totals"]!;
        Assert.That((long)totals["doorbells"]!["sent"]!, Is.EqualTo(0));
        Assert.That((long)totals["vmExits"]!["icrWrite"]!, Is.GreaterThan(0));
    }
}
