using Emu.Core.Configuration;

namespace Emu.Host.Sweeps;

/// <summary>What <c>emu sweep</c> may do with an --out folder that already holds something.</summary>
internal enum SweepFolderMode
{
    /// <summary>Only an empty or missing folder: never mix two sweeps' files.</summary>
    New,

    /// <summary>--resume: the folder's sweep must be this one; its finished points are kept.</summary>
    Resume,

    /// <summary>--force: whatever the folder holds is deleted first.</summary>
    Force,
}

/// <summary>
/// Checks (and for --force clears) a sweep's --out folder before any point runs. A folder that held another
/// sweep would otherwise end up with that sweep's report, plots and aggregate beside the new points.
/// </summary>
internal static class SweepFolder
{
    /// <summary>The points already finished in <paramref name="dir"/> (none unless resuming); throws on a folder it may not use.</summary>
    public static List<PointResult> Prepare(string dir, SweepManifest manifest, SweepFolderMode mode, string currentDirectory)
    {
        bool empty = IsEmpty(dir);
        switch (mode)
        {
            case SweepFolderMode.Force:
                if (!empty)
                {
                    Clear(dir, currentDirectory);
                }

                return new List<PointResult>();

            case SweepFolderMode.Resume:
                // Nothing yet (say, a cluster task's first attempt): resuming is running it all.
                if (empty)
                {
                    return new List<PointResult>();
                }

                var existing = ExistingSweep(dir) ?? throw new EmuConfigurationException(
                    $"--out {dir}: --resume, but the folder holds no sweep ({SweepManifest.FileName} is missing); use another --out");
                if (!manifest.SameSweep(existing))
                {
                    throw new EmuConfigurationException(
                        $"--out {dir}: holds a different sweep ({manifest.Difference(existing)}); use another --out, or --force instead of --resume to replace it");
                }

                DeleteTemporaryFiles(dir);
                return SweepOutput.ReadFinishedPoints(dir, manifest.Plan.Points(manifest.Shard));

            default:
                if (!empty)
                {
                    throw new EmuConfigurationException($"--out {dir}: {Contents(dir, manifest)}");
                }

                return new List<PointResult>();
        }
    }

    /// <summary>The refusal's reason and way out, for a folder that is not empty.</summary>
    private static string Contents(string dir, SweepManifest manifest)
    {
        SweepManifest? existing;
        try
        {
            existing = ExistingSweep(dir);
        }
        catch (EmuConfigurationException)
        {
            existing = null;
        }

        if (existing is null)
        {
            return "is not empty and holds no sweep; use another --out (--force clears only a sweep's folder)";
        }

        return manifest.SameSweep(existing)
            ? "already holds this sweep (perhaps interrupted); add --resume to run only its missing points, or --force to start over"
            : $"holds a different sweep ({manifest.Difference(existing)}); use another --out, or --force to replace it";
    }

    private static SweepManifest? ExistingSweep(string dir) =>
        File.Exists(Path.Combine(dir, SweepManifest.FileName)) ? SweepManifest.Read(dir) : null;

    private static bool IsEmpty(string dir)
    {
        try
        {
            return !Directory.Exists(dir) || !Directory.EnumerateFileSystemEntries(dir).Any();
        }
        catch (Exception ex) when (ex is IOException or UnauthorizedAccessException)
        {
            throw new EmuConfigurationException($"--out {dir}: cannot read the folder: {ex.Message}");
        }
    }

    /// <summary>Deletes the folder's contents but keeps the folder (it may be a mount point or have set permissions).</summary>
    private static void Clear(string dir, string currentDirectory)
    {
        // A typo such as --out . must not delete the work the user is standing in.
        if (SweepPaths.IsSameOrInside(currentDirectory, dir))
        {
            throw new EmuConfigurationException($"--out {dir}: --force would delete the current folder's contents; use a folder of its own");
        }

        // --force replaces a sweep; a folder of other things (a typo for ~/data, say) is never emptied for it.
        if (!File.Exists(Path.Combine(dir, SweepManifest.FileName)))
        {
            throw new EmuConfigurationException($"--out {dir}: --force clears only a folder that holds a sweep ({SweepManifest.FileName} is missing); use another --out");
        }

        try
        {
            var folder = new DirectoryInfo(dir);
            foreach (var sub in folder.EnumerateDirectories())
            {
                // A link to a folder is removed as a link; what it points to is left alone.
                if (sub.LinkTarget is null)
                {
                    sub.Delete(recursive: true);
                }
                else
                {
                    sub.Delete();
                }
            }

            foreach (var file in folder.EnumerateFiles())
            {
                file.Delete();
            }
        }
        catch (Exception ex) when (ex is IOException or UnauthorizedAccessException)
        {
            throw new EmuConfigurationException($"--out {dir}: --force cannot clear the folder: {ex.Message}");
        }
    }

    /// <summary>The hidden temporary files of writes a crash cut short (see AtomicFile); the resumed run rewrites those files.</summary>
    private static void DeleteTemporaryFiles(string dir)
    {
        foreach (string folder in new[] { dir, Path.Combine(dir, "points") })
        {
            if (Directory.Exists(folder))
            {
                foreach (string tmp in Directory.EnumerateFiles(folder, ".*.tmp"))
                {
                    File.Delete(tmp);
                }
            }
        }
    }
}
