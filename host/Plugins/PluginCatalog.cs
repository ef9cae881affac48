using System.Reflection;
using System.Security.Cryptography;
using Emu.Core.Configuration;
using Emu.Core.Contracts;

namespace Emu.Host.Plugins;

/// <summary>
/// Finds and loads plugins: every sub-folder of the plugin directories holds one plugin assembly, loaded
/// in its own <see cref="PluginLoadContext"/>. Emu.Core, the Microsoft.Extensions abstractions and whatever else the
/// host ships are shared with the host so that <see cref="IEmuPlugin"/> and the DI types keep one identity.
/// Folders are visited in ordinal order so that registration order, and so results, never depend on the
/// file system.
/// </summary>
internal static class PluginCatalog
{
    public const string DefaultFolder = "plugins";

    /// <summary>The plugin directories: plugins/ beside the host, then Plugins:Directories in order.</summary>
    public static List<(string Path, string Origin)> Directories(string hostDirectory, string currentDirectory, PluginOptions options)
    {
        var dirs = new List<(string, string)>();
        string own = Path.Combine(hostDirectory, DefaultFolder);
        if (Directory.Exists(own))
        {
            dirs.Add((own, own));
        }

        for (int i = 0; i < options.Directories.Count; i++)
        {
            string origin = $"{PluginOptions.Section}:{nameof(PluginOptions.Directories)}:{i}";
            string path = Path.GetFullPath(options.Directories[i], currentDirectory);
            if (!Directory.Exists(path))
            {
                throw new EmuConfigurationException($"{origin}: plugin directory not found: {options.Directories[i]}");
            }

            dirs.Add((path, origin));
        }

        return dirs;
    }

    public static IReadOnlyList<LoadedPlugin> Load(
        IReadOnlyList<(string Path, string Origin)> directories, IReadOnlyList<string> disabled, IReadOnlyDictionary<string, string>? pins = null)
    {
        pins ??= new Dictionary<string, string>();
        var pinUsed = new HashSet<string>(StringComparer.OrdinalIgnoreCase);
        var loaded = new List<LoadedPlugin>();
        var used = new bool[disabled.Count];
        foreach (var (dir, origin) in directories)
        {
            // Each plugin lives in a folder of its own: an assembly loose at the top was meant to be loaded and would not be.
            string[] loose = Directory.GetFiles(dir, "*.dll").Order(StringComparer.Ordinal).ToArray();
            if (loose.Length > 0)
            {
                throw new EmuConfigurationException(
                    $"plugin directory {dir} ({origin}): {Path.GetFileName(loose[0])} lies loose at the top; put each plugin in a folder of its own ({dir}/<Plugin>/<Plugin>.dll)");
            }

            foreach (string folder in Directory.GetDirectories(dir).Order(StringComparer.Ordinal))
            {
                string folderName = Path.GetFileName(folder);
                if (IsDisabled(folderName, disabled, used))
                {
                    continue;
                }

                var plugin = LoadFolder(folder, pins, pinUsed);
                if (IsDisabled(plugin.Plugin.Name, disabled, used))
                {
                    continue;
                }

                var twin = loaded.Find(p => string.Equals(p.Plugin.Name, plugin.Plugin.Name, StringComparison.OrdinalIgnoreCase));
                if (twin is not null)
                {
                    throw new EmuConfigurationException($"plugin '{plugin.Plugin.Name}' is in two folders: {twin.Folder} and {folder}");
                }

                loaded.Add(plugin);
            }
        }

        foreach (string name in pins.Keys.Order(StringComparer.Ordinal))
        {
            if (!pinUsed.Contains(name))
            {
                string known = loaded.Count == 0 ? "none" : string.Join(", ", loaded.Select(p => p.Plugin.Name));
                throw new EmuConfigurationException($"{PluginOptions.Section}:{nameof(PluginOptions.Pins)}:{name}: no plugin '{name}' was loaded (loaded: {known})");
            }
        }

        for (int i = 0; i < disabled.Count; i++)
        {
            if (!used[i])
            {
                string known = loaded.Count == 0 ? "none" : string.Join(", ", loaded.Select(p => p.Plugin.Name));
                throw new EmuConfigurationException($"{PluginOptions.Section}:{nameof(PluginOptions.Disabled)}:{i}: unknown plugin '{disabled[i]}' (loaded: {known})");
            }
        }

        return loaded;
    }

    private static bool IsDisabled(string name, IReadOnlyList<string> disabled, bool[] used)
    {
        for (int i = 0; i < disabled.Count; i++)
        {
            if (string.Equals(disabled[i], name, StringComparison.OrdinalIgnoreCase))
            {
                used[i] = true;
                return true;
            }
        }

        return false;
    }

    private static LoadedPlugin LoadFolder(string folder, IReadOnlyDictionary<string, string> pins, HashSet<string> pinUsed)
    {
        string assemblyPath = MainAssembly(folder);
        string sha256 = Sha256Of(assemblyPath);

        // Checked before any of the plugin's code runs (by folder name), and again by the name it reports.
        CheckPin(Path.GetFileName(folder), assemblyPath, sha256, pins, pinUsed);
        Assembly assembly;
        try
        {
            assembly = new PluginLoadContext(assemblyPath).LoadFromAssemblyPath(assemblyPath);
        }
        catch (Exception ex) when (ex is BadImageFormatException or FileLoadException or FileNotFoundException or InvalidOperationException)
        {
            throw new EmuConfigurationException($"plugin {assemblyPath}: cannot be loaded: {ex.Message}");
        }

        var type = PluginType(assembly, assemblyPath);
        IEmuPlugin plugin;
        try
        {
            plugin = (IEmuPlugin)Activator.CreateInstance(type)!;
        }
        catch (Exception ex) when (ex is TargetInvocationException or MissingMethodException or MemberAccessException)
        {
            string detail = ex.InnerException?.Message ?? ex.Message;
            throw new EmuConfigurationException($"plugin {assemblyPath}: {type.FullName} cannot be created: {detail}");
        }

        if (!EmuContract.IsCompatible(plugin.ContractVersion))
        {
            throw new EmuConfigurationException(
                $"plugin '{plugin.Name}' ({assemblyPath}) was built for Emu contract {plugin.ContractVersion}; this emu provides contract {EmuContract.Version}");
        }

        CheckPin(plugin.Name, assemblyPath, sha256, pins, pinUsed);
        return new LoadedPlugin(plugin, folder, assemblyPath, sha256);
    }

    private static void CheckPin(string name, string assemblyPath, string sha256, IReadOnlyDictionary<string, string> pins, HashSet<string> pinUsed)
    {
        if (!pins.TryGetValue(name, out string? pinned))
        {
            return;
        }

        pinUsed.Add(name);
        if (!string.Equals(pinned, sha256, StringComparison.OrdinalIgnoreCase))
        {
            throw new EmuConfigurationException(
                $"{PluginOptions.Section}:{nameof(PluginOptions.Pins)}:{name}: plugin {assemblyPath} has SHA-256 {sha256}, but {pinned} is pinned; refusing to load it");
        }
    }

    /// <summary>The folder's plugin assembly: &lt;folder&gt;.dll, else the one with a .deps.json, else the only .dll.</summary>
    private static string MainAssembly(string folder)
    {
        string named = Path.Combine(folder, Path.GetFileName(folder) + ".dll");
        if (File.Exists(named))
        {
            return named;
        }

        string[] deps = Directory.GetFiles(folder, "*.deps.json");
        if (deps.Length == 1)
        {
            string dll = deps[0][..^".deps.json".Length] + ".dll";
            if (File.Exists(dll))
            {
                return dll;
            }
        }

        string[] dlls = Directory.GetFiles(folder, "*.dll");
        if (dlls.Length == 1)
        {
            return dlls[0];
        }

        throw new EmuConfigurationException(
            $"plugin folder {folder}: cannot tell which assembly is the plugin (expected {Path.GetFileName(folder)}.dll, one *.deps.json, or a single .dll)");
    }

    private static Type PluginType(Assembly assembly, string assemblyPath)
    {
        Type[] types;
        try
        {
            types = assembly.GetExportedTypes();
        }
        catch (Exception ex) when (ex is ReflectionTypeLoadException or FileNotFoundException or FileLoadException or TypeLoadException)
        {
            string detail = ex is ReflectionTypeLoadException r && r.LoaderExceptions.FirstOrDefault() is { } first ? first.Message : ex.Message;
            throw new EmuConfigurationException($"plugin {assemblyPath}: its types cannot be loaded: {detail}");
        }

        var candidates = types.Where(t => t is { IsClass: true, IsAbstract: false } && typeof(IEmuPlugin).IsAssignableFrom(t)).ToList();
        return candidates.Count switch
        {
            1 => candidates[0],
            0 => throw new EmuConfigurationException(
                $"plugin {assemblyPath}: no public class implements {nameof(IEmuPlugin)} (built against another Emu.Core, or not a plugin?)"),
            _ => throw new EmuConfigurationException(
                $"plugin {assemblyPath}: several classes implement {nameof(IEmuPlugin)} ({string.Join(", ", candidates.Select(c => c.FullName))}); keep one per assembly"),
        };
    }

    private static string Sha256Of(string path) => Convert.ToHexStringLower(SHA256.HashData(File.ReadAllBytes(path)));
}
