namespace Emu.Host.Configuration;

/// <summary>
/// A key whose name ends in <c>File</c> (<c>Vms:0:Workload:ActionsFile</c>) names a file. A relative path in a JSON
/// scenario is relative to that file's folder, so a scenario and the files beside it move together; one given by
/// an <c>EMU_</c> variable or <c>--set</c> is relative to the working folder. Each layer's paths are made absolute
/// as it is read, so what Core and the plugins see no longer depends on where emu runs.
/// </summary>
internal static class FilePathKeys
{
    public static void Resolve(Dictionary<string, string?> layer, string baseDirectory)
    {
        foreach (var (key, value) in layer.ToList())
        {
            if (IsFileKey(key) && !string.IsNullOrWhiteSpace(value) && !Path.IsPathRooted(value))
            {
                layer[key] = Path.GetFullPath(value, baseDirectory);
            }
        }
    }

    private static bool IsFileKey(string key)
    {
        int colon = key.LastIndexOf(':');
        return key.AsSpan(colon + 1).EndsWith("File", StringComparison.OrdinalIgnoreCase);
    }
}
