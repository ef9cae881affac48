using System.Diagnostics;
using System.Reflection;
using System.Reflection.Emit;
using Emu.Core.Engine;
using Emu.Host.Bench;
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
        Assert.That(OptimisationCheck.IsUnoptimised(inAssembly.Assembly), Is.False, $"{inAssembly.Assembly.GetName().Name} was built with optimisation off");
    }

    [TestCase(DebuggableAttribute.DebuggingModes.Default | DebuggableAttribute.DebuggingModes.DisableOptimizations, true)] // a Debug build's
    [TestCase(DebuggableAttribute.DebuggingModes.IgnoreSymbolStoreSequencePoints, false)] // a Release build's
    public void TheCheck_ReadsTheDebuggableAttribute(DebuggableAttribute.DebuggingModes modes, bool unoptimised)
    {
        // An assembly made here with the attribute a compiler writes: the check above can fail.
        var name = new AssemblyName($"Emu.Tests.Debuggable{(int)modes}");
        var assembly = AssemblyBuilder.DefineDynamicAssembly(name, AssemblyBuilderAccess.Run);
        var ctor = typeof(DebuggableAttribute).GetConstructor([typeof(DebuggableAttribute.DebuggingModes)])!;
        assembly.SetCustomAttribute(new CustomAttributeBuilder(ctor, [modes]));
        Assert.That(OptimisationCheck.IsUnoptimised(assembly), Is.EqualTo(unoptimised));
    }
}
