using System.CommandLine;
using Emu.Core.Configuration;
using Emu.Host.Sweeps;

namespace Emu.Host.Cli;

/// <summary><c>emu merge</c>: combines the folders of a sharded sweep into the output one machine would have written.</summary>
internal static class MergeCommand
{
    public static Command Create(HostEnvironment env)
    {
        var dirs = new Argument<DirectoryInfo[]>("DIR") { Description = "The shard folders (each written by `emu sweep --shard i/N`).", Arity = ArgumentArity.OneOrMore };
        var outDir = new Option<DirectoryInfo>("--out", "-o")
        {
            Description = "The merged sweep's folder.",
            HelpName = "DIR",
            DefaultValueFactory = _ => new DirectoryInfo(Path.Combine("results", "merged")),
        };
        var command = new Command("merge", "Combine shard folders of one sweep into one sweep folder with the aggregate.");
        command.Arguments.Add(dirs);
        command.Options.Add(outDir);
        command.SetAction(parse =>
        {
            var folders = parse.GetValue(dirs)!.Select(d => Path.GetFullPath(d.ToString(), env.CurrentDirectory)).ToList();
            string dir = Path.GetFullPath(parse.GetValue(outDir)!.ToString(), env.CurrentDirectory);
            var manifests = folders.Select(SweepManifest.Read).ToList();
            foreach (string folder in folders)
            {
                // Writing the merge there would replace the shard's own sweep.json and points: refuse before writing anything.
                if (SweepPaths.IsSameOrInside(dir, folder))
                {
                    throw new EmuConfigurationException($"--out {dir}: is the input shard folder {folder} or inside it; merge into a folder of its own");
                }
            }

            string identity = manifests[0].Identity();
            int count = manifests[0].Shard.Count;
            var seen = new string?[count];
            for (int i = 0; i < manifests.Count; i++)
            {
                var m = manifests[i];
                if (m.Identity() != identity)
                {
                    string why = m.ConfigHash != manifests[0].ConfigHash
                        ? $"its configuration hash {m.ConfigHash} is not {manifests[0].ConfigHash}"
                        : "axes, replications or seed differ";
                    throw new EmuConfigurationException($"{folders[i]}: a different sweep from {folders[0]} ({why})");
                }

                if (m.Shard.Count != count)
                {
                    throw new EmuConfigurationException($"{folders[i]}: shard {m.Shard} does not match {folders[0]}'s {manifests[0].Shard}");
                }

                if (seen[m.Shard.Index] is { } other)
                {
                    throw new EmuConfigurationException($"{folders[i]}: shard {m.Shard} is also in {other}");
                }

                seen[m.Shard.Index] = folders[i];
            }

            var missing = Enumerable.Range(0, count).Where(s => seen[s] is null).ToList();
            if (missing.Count > 0)
            {
                throw new EmuConfigurationException($"merge: missing shard(s) {string.Join(", ", missing.Select(s => $"{s}/{count}"))}");
            }

            var points = manifests.SelectMany((m, i) => SweepOutput.ReadPoints(folders[i], m)).OrderBy(p => p.Point.Index).ToList();
            var merged = manifests[0] with { Shard = ShardSpec.Whole };

            // Clear points of an earlier sweep in the same folder, but only in a folder that is a sweep output.
            string pointDir = Path.Combine(dir, "points");
            if (File.Exists(Path.Combine(dir, SweepManifest.FileName)) && Directory.Exists(pointDir))
            {
                Directory.Delete(pointDir, recursive: true);
            }

            SweepOutput.WriteManifest(dir, merged, points.Count > 0 ? points[0].Result.Producer : null);
            foreach (var p in points)
            {
                SweepOutput.WritePoint(dir, p);
            }

            return SweepFinish.Write(env, dir, merged, points);
        });
        return command;
    }
}
