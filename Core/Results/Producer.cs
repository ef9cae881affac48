using System.Reflection;
using System.Runtime.InteropServices;
using System.Security.Cryptography;
using Emu.Core.Contracts;

namespace Emu.Core.Results;

/// <summary>
/// What produced a result (result.json's <c>producer</c>): Emu's version and the commit it was built from, the .NET
/// runtime and OS, and every plugin with its version, the contract it was built against and its assembly's SHA-256.
/// One of the two fields that may differ between machines (with <c>wallSeconds</c>).
/// </summary>
public sealed record Producer(string Emu, string? Commit, string Runtime, string Os, IReadOnlyList<ProducerPlugin> Plugins)
{
    private static readonly Dictionary<string, string?> HashByPath = new(StringComparer.Ordinal);

    /// <summary>This process with these plugins.</summary>
    public static Producer Of(IEnumerable<IEmuPlugin> plugins)
    {
        string informational = typeof(Producer).Assembly.GetCustomAttribute<AssemblyInformationalVersionAttribute>()?.InformationalVersion
            ?? typeof(Producer).Assembly.GetName().Version?.ToString() ?? "unknown";
        int plus = informational.IndexOf('+', StringComparison.Ordinal);
        string version = plus < 0 ? informational : informational[..plus];
        string? commit = plus < 0 ? null : informational[(plus + 1)..];
        var list = plugins
            .Select(p => new ProducerPlugin(p.Name, p.Version.ToString(), p.ContractVersion.ToString(), Sha256(p.GetType().Assembly.Location)))
            .OrderBy(p => p.Name, StringComparer.Ordinal)
            .ToList();
        return new Producer(version, commit, RuntimeInformation.FrameworkDescription, RuntimeInformation.RuntimeIdentifier, list);
    }

    /// <summary>The SHA-256 of a plugin's assembly file, or null for one loaded from memory; computed once per file.</summary>
    private static string? Sha256(string path)
    {
        if (string.IsNullOrEmpty(path) || !File.Exists(path))
        {
            return null;
        }

        lock (HashByPath)
        {
            if (!HashByPath.TryGetValue(path, out string? hash))
            {
                try
                {
                    hash = Convert.ToHexStringLower(SHA256.HashData(File.ReadAllBytes(path)));
                }
                catch (Exception ex) when (ex is IOException or UnauthorizedAccessException)
                {
                    hash = null; // the file went away during the run: the result matters more than its hash
                }

                HashByPath[path] = hash;
            }

            return hash;
        }
    }
}

/// <summary>A plugin in <see cref="Producer.Plugins"/>.</summary>
public sealed record ProducerPlugin(string Name, string Version, string ContractVersion, string? Sha256);
