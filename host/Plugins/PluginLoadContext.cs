using System.Reflection;
using System.Runtime.Loader;

namespace Emu.Host.Plugins;

/// <summary>
/// One plugin's load context, as .NET's own guide to plugins builds it (AssemblyLoadContext with an
/// <see cref="AssemblyDependencyResolver"/> over the plugin's .deps.json): its private dependencies, managed and native,
/// come from its folder; an assembly the host itself ships or the framework has (Emu.Core, the Microsoft.Extensions
/// abstractions, System.*) is always the host's, so <c>IEmuPlugin</c>, <c>IServiceCollection</c> and the options types
/// keep one identity. This replaced McMaster.NETCore.Plugins, whose loader parsed each plugin's runtimeconfig.json with
/// reflection-based JSON and enumerated the process's modules: about 100 ms of a 0.4 s `emu run` (issue 19).
/// </summary>
internal sealed class PluginLoadContext : AssemblyLoadContext
{
    /// <summary>Simple names of the assemblies the default context resolves (the host's deps.json and the framework).</summary>
    private static readonly Lazy<HashSet<string>> HostAssemblies = new(ReadHostAssemblies);

    private readonly AssemblyDependencyResolver _resolver;

    public PluginLoadContext(string mainAssemblyPath)
        : base(Path.GetFileNameWithoutExtension(mainAssemblyPath))
    {
        _resolver = new AssemblyDependencyResolver(mainAssemblyPath);
    }

    protected override Assembly? Load(AssemblyName assemblyName)
    {
        // null: the default context loads it, the one copy the host and every plugin share.
        if (assemblyName.Name is { } name && HostAssemblies.Value.Contains(name))
        {
            return null;
        }

        string? path = _resolver.ResolveAssemblyToPath(assemblyName);
        return path is null ? null : LoadFromAssemblyPath(path);
    }

    protected override IntPtr LoadUnmanagedDll(string unmanagedDllName)
    {
        string? path = _resolver.ResolveUnmanagedDllToPath(unmanagedDllName);
        return path is null ? IntPtr.Zero : LoadUnmanagedDllFromPath(path);
    }

    private static HashSet<string> ReadHostAssemblies()
    {
        var names = new HashSet<string>(StringComparer.OrdinalIgnoreCase);
        if (AppContext.GetData("TRUSTED_PLATFORM_ASSEMBLIES") is string list)
        {
            foreach (string path in list.Split(Path.PathSeparator, StringSplitOptions.RemoveEmptyEntries))
            {
                names.Add(Path.GetFileNameWithoutExtension(path));
            }
        }

        return names;
    }
}
