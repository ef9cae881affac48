using System.Diagnostics;
using System.Reflection;
using Emu.Core.Engine;
using Emu.Plugins.NestedSvm;
using Emu.Plugins.Schedulers;
using Emu.Plugins.Svm;

namespace Emu.Tests.Architecture;

/// <summary>
/// Emu's own assemblies are compiled optimised whatever the configuration (Directory.Build.targets): the README's
/// `dotnet run --project host` and `dotnet test` build Debug, and an assembly built with optimisation off makes the JIT
/// compile all of its code as MinOpts, which ran the model three times slower (issue 19).
/// </summary>
public class OptimisedBuildTests
{
    [TestCase(typeof(Simulator))]
    [TestCase(typeof(SvmPlugin))]
    [TestCase(typeof(NestedSvmPlugin))]
    [TestCase(typeof(SchedulersPlugin))]
    [TestCase(typeof(Emu.Host.Cli.RunCommand))]
    public void EmusAssemblies_LetTheJitOptimise_InThisBuild(Type inAssembly)
    {
        var debuggable = inAssembly.Assembly.GetCustomAttribute<DebuggableAttribute>();
        Assert.That(debuggable?.IsJITOptimizerDisabled ?? false, Is.False, $"{inAssembly.Assembly.GetName().Name} was built with optimisation off");
    }

    [Test]
    public void TheTestsThemselves_KeepTheConfigurationsSetting()
    {
        // The check above must be able to fail: in a Debug build this assembly is the unoptimised one.
        var debuggable = typeof(OptimisedBuildTests).Assembly.GetCustomAttribute<DebuggableAttribute>();
#if DEBUG
        Assert.That(debuggable?.IsJITOptimizerDisabled, Is.True);
#else
        Assert.That(debuggable?.IsJITOptimizerDisabled ?? false, Is.False);
#endif
    }
}
