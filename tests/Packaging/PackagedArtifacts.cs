using Emu.Tests.Host;

namespace Emu.Tests.Packaging;

/// <summary>
/// Packs Emu's packages once per test run, the way docs/plugins.md tells a plugin author to, into the
/// repository's artifacts/packages (the feed samples/NuGet.config names). Builds restore into a fresh package
/// folder so that a package left in the machine's NuGet cache by an earlier pack can never stand in for this one.
/// </summary>
internal static class PackagedArtifacts
{
    private static readonly Lazy<string> Packed = new(Pack);

    public static string Feed => Packed.Value;

    public static string Scratch { get; } = Directory.CreateTempSubdirectory("emu-pack-").FullName;

    public static string PackagesFolder => Path.Combine(Scratch, "nuget-packages");

    /// <summary>`dotnet build` of a project against the packed feed, output into <paramref name="outDir"/>.</summary>
    public static void Build(string project, string outDir) =>
        Dotnet.Ok(Path.GetDirectoryName(project)!, "build", project, "-c", "Release", "-o", outDir, "--disable-build-servers",
            $"-p:RestoreAdditionalProjectSources={Feed}", $"-p:RestorePackagesPath={PackagesFolder}");

    private static string Pack()
    {
        string feed = Path.Combine(Cli.RepoRoot, "artifacts", "packages");
        if (Directory.Exists(feed))
        {
            Directory.Delete(feed, recursive: true); // packages of an older version would be found too
        }

        foreach (string project in new[] { "Core/Emu.Core.csproj", "Plugins/Svm/Emu.Plugins.Svm.csproj", "Plugins/Schedulers/Emu.Plugins.Schedulers.csproj" })
        {
            Dotnet.Ok(Cli.RepoRoot, "pack", project, "-c", "Release", "-o", feed, "--disable-build-servers");
        }

        return feed;
    }
}
