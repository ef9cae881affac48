using Emu.Tests.Host;

namespace Emu.Tests.Golden;

/// <summary>One recorded run: a shipped scenario (or the default one) with a short duration and fixed overrides.</summary>
public sealed record GoldenCase(string Name, string? Scenario, long DurationUs, params string[] Sets)
{
    /// <summary>tests/Golden in the source tree, where the recorded results live.</summary>
    public static string Folder => Path.Combine(Cli.RepoRoot, "tests", "Golden");

    /// <summary>
    /// Every shipped scenario, briefly; the default scenario; and the README's strict / non-strict table at its
    /// full 100 ms (ReadmeTableTests checks the README's figures against these two). Invariants are checked in every
    /// run but the 4096-vCPU one; a broken invariant fails the run and so the test.
    /// </summary>
    public static IEnumerable<GoldenCase> All()
    {
        yield return new GoldenCase("default", null, 20_000);
        yield return new GoldenCase("devices-nvme", "devices-nvme.json", 20_000);
        yield return new GoldenCase("devices-nvme-nonstrict", "devices-nvme.json", 20_000, "Svm:AvicDoorbellStrict=false");
        yield return new GoldenCase("doorbell-spam", "doorbell-spam.json", 20_000);
        yield return new GoldenCase("doorbell-spam-nonstrict", "doorbell-spam.json", 20_000, "Svm:AvicDoorbellStrict=false");
        yield return new GoldenCase("ipi-pingpong", "ipi-pingpong.json", 20_000);
        yield return new GoldenCase("large-overcommit", "large-overcommit.json", 1_000, "Simulation:CheckInvariants=false"); // checks cost O(vCPUs) per event
        yield return new GoldenCase("nested-overcommit", "nested-overcommit.json", 20_000);
        yield return new GoldenCase("nested-overcommit-nonstrict", "nested-overcommit.json", 20_000, "Svm:AvicDoorbellStrict=false");
        yield return new GoldenCase("overcommit-io", "overcommit-io.json", 20_000);
        yield return new GoldenCase("xapic-ipi-test", "xapic-ipi-test.json", 20_000);
        yield return new GoldenCase(ReadmeStrict, "overcommit-io.json", 100_000, "Svm:AvicDoorbellStrict=true");
        yield return new GoldenCase(ReadmeNonStrict, "overcommit-io.json", 100_000, "Svm:AvicDoorbellStrict=false");
    }

    public const string ReadmeStrict = "readme-strict";
    public const string ReadmeNonStrict = "readme-nonstrict";

    /// <summary>The `emu run` arguments, writing into <paramref name="outDir"/>.</summary>
    public IEnumerable<string> Arguments(string outDir)
    {
        yield return "run";
        yield return "--out";
        yield return outDir;
        if (Scenario is not null)
        {
            yield return "--config";
            yield return Path.Combine(Cli.RepoRoot, "scenarios", Scenario);
        }

        yield return "--set";
        yield return $"Simulation:DurationUs={DurationUs}";
        yield return "--set";
        yield return "Simulation:CheckInvariants=true"; // every recorded run is also a run with the model's invariants checked
        foreach (string set in Sets)
        {
            yield return "--set";
            yield return set;
        }
    }

    public override string ToString() => Name;
}
