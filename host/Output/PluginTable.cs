using Emu.Host.Plugins;

namespace Emu.Host.Output;

/// <summary>The table `emu plugins` prints.</summary>
internal static class PluginTable
{
    public static void Write(TextWriter writer, IReadOnlyList<LoadedPlugin> plugins)
    {
        if (plugins.Count == 0)
        {
            writer.WriteLine("no plugins found");
            return;
        }

        // One block per plugin: paths and hashes are too wide for a table row.
        foreach (var p in plugins)
        {
            writer.WriteLine($"{p.Plugin.Name}");
            writer.WriteLine($"  version   {p.Plugin.Version}");
            writer.WriteLine($"  contract  {p.Plugin.ContractVersion}");
            writer.WriteLine($"  path      {p.AssemblyPath}");
            writer.WriteLine($"  sha256    {p.Sha256}");
        }
    }
}
