using System.Diagnostics;
using System.Reflection;
using Emu.Host.Plugins;

namespace Emu.Host.Bench;

/// <summary>
/// Which assemblies of a bench were built with optimisation off: the host's, Emu.Core's and the loaded plugins' (a
/// plugin whose services the scenario does not use is named too; its code is not timed). Such an assembly makes the JIT
/// compile all of its methods unoptimised (MinOpts): the README's Debug build did so for Emu's own assemblies until
/// Directory.Build.targets optimised them (issue 19), and a plugin built Debug still does.
/// </summary>
internal static class OptimisationCheck
{
    /// <summary>The names of the host's, Emu.Core's and the loaded plugins' assemblies the JIT may not optimise.</summary>
    public static IReadOnlyList<string> Unoptimised(IEnumerable<LoadedPlugin> plugins) =>
        new[] { typeof(OptimisationCheck).Assembly, typeof(Core.Engine.Simulator).Assembly }
            .Concat(plugins.Select(p => p.Plugin.GetType().Assembly))
            .Where(IsUnoptimised)
            .Select(a => a.GetName().Name ?? a.FullName ?? "?")
            .ToList();

    /// <summary>True when the assembly's DebuggableAttribute disables the JIT's optimiser (a Debug build's does).</summary>
    internal static bool IsUnoptimised(Assembly assembly) =>
        assembly.GetCustomAttribute<DebuggableAttribute>()?.IsJITOptimizerDisabled ?? false;
}
