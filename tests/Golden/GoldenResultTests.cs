using System.Diagnostics;
using System.Globalization;
using System.Text.Json;
using System.Text.Json.Nodes;
using Emu.Tests.Host;

namespace Emu.Tests.Golden;

/// <summary>
/// The project's memory of its numbers: every shipped scenario (and the README's strict/non-strict table) is run
/// by the real `emu` in a child process and its result.json compared, field by field, with the one recorded under
/// tests/Golden/. Only wallSeconds and the machine-dependent provenance are left out. To record new goldens on
/// purpose: <c>GOLDEN_UPDATE=1 dotnet test --filter FullyQualifiedName~Golden</c>, and say in the commit why the
/// figures moved.
/// </summary>
[Parallelizable(ParallelScope.Children)]
public class GoldenResultTests
{
    /// <summary>The environment variable that makes this test write the goldens instead of comparing them.</summary>
    public const string UpdateVariable = "GOLDEN_UPDATE";

    /// <summary>Fields that may differ between machines and runs.</summary>
    private static readonly string[] MachineDependent = { "wallSeconds", "producer" };

    public static IEnumerable<TestCaseData> Cases() => GoldenCase.All().Select(c => new TestCaseData(c).SetName($"Golden_{c.Name}"));

    [TestCaseSource(nameof(Cases))]
    public void Result_IsByteIdentical_ToTheGolden(GoldenCase golden)
    {
        string actual = Normalize(RunEmu(golden));
        string file = Path.Combine(GoldenCase.Folder, golden.Name + ".json");
        if (Environment.GetEnvironmentVariable(UpdateVariable) == "1")
        {
            Directory.CreateDirectory(GoldenCase.Folder);
            File.WriteAllText(file, actual);
            TestContext.Out.WriteLine($"golden written: {file}");
        }

        Assert.That(File.Exists(file), Is.True, $"no golden for '{golden.Name}' ({file}); record it with {UpdateVariable}=1 dotnet test --filter FullyQualifiedName~Golden");
        string expected = File.ReadAllText(file);
        if (expected != actual)
        {
            Assert.Fail($"'{golden.Name}' differs from {file}:{Environment.NewLine}{Diff(expected, actual)}{Environment.NewLine}"
                + $"If the change is on purpose, re-record with {UpdateVariable}=1 dotnet test --filter FullyQualifiedName~Golden and say why in the commit.");
        }
    }

    [Test]
    public void EveryShippedScenario_HasAGoldenCase()
    {
        var covered = GoldenCase.All().Select(c => c.Scenario).Where(s => s is not null).ToHashSet(StringComparer.Ordinal);
        var shipped = Directory.GetFiles(Path.Combine(Cli.RepoRoot, "scenarios"), "*.json").Select(Path.GetFileName);
        Assert.That(shipped.Where(s => !covered.Contains(s!)), Is.Empty, "add a GoldenCase for each new scenario");
    }

    /// <summary>result.json without the machine-dependent fields, in one canonical text.</summary>
    internal static string Normalize(string resultJson)
    {
        var node = JsonNode.Parse(resultJson)!.AsObject();
        foreach (string key in MachineDependent)
        {
            node.Remove(key);
        }

        return node.ToJsonString(new JsonSerializerOptions { WriteIndented = true }).ReplaceLineEndings("\n") + "\n";
    }

    /// <summary>Each figure that changed, as "path: expected -> actual" (at most 40 lines).</summary>
    internal static string Diff(string expected, string actual)
    {
        var a = Flatten(JsonNode.Parse(expected));
        var b = Flatten(JsonNode.Parse(actual));
        var lines = new List<string>();
        foreach (var key in a.Keys.Union(b.Keys).Order(StringComparer.Ordinal))
        {
            a.TryGetValue(key, out string? x);
            b.TryGetValue(key, out string? y);
            if (x != y)
            {
                lines.Add($"  {key}: {x ?? "(absent)"} -> {y ?? "(absent)"}");
            }
        }

        int more = lines.Count - 40;
        return string.Join(Environment.NewLine, lines.Take(40)) + (more > 0 ? $"{Environment.NewLine}  ... and {more} more" : "");
    }

    private static Dictionary<string, string> Flatten(JsonNode? node)
    {
        var map = new Dictionary<string, string>(StringComparer.Ordinal);
        Walk(node, "", map);
        return map;
    }

    private static void Walk(JsonNode? node, string path, Dictionary<string, string> map)
    {
        switch (node)
        {
            case JsonObject o:
                foreach (var (k, v) in o)
                {
                    Walk(v, path.Length == 0 ? k : $"{path}.{k}", map);
                }

                break;
            case JsonArray arr:
                for (int i = 0; i < arr.Count; i++)
                {
                    Walk(arr[i], string.Create(CultureInfo.InvariantCulture, $"{path}[{i}]"), map);
                }

                break;
            default:
                map[path] = node?.ToJsonString() ?? "null";
                break;
        }
    }

    /// <summary>`emu run` of the case in its own process and scratch folder; returns result.json's text.</summary>
    private static string RunEmu(GoldenCase golden)
    {
        string work = Directory.CreateTempSubdirectory("emu-golden-").FullName;
        try
        {
            var psi = new ProcessStartInfo("dotnet") { WorkingDirectory = work, RedirectStandardOutput = true, RedirectStandardError = true };
            psi.ArgumentList.Add(Path.Combine(AppContext.BaseDirectory, "emu.dll"));
            foreach (string arg in golden.Arguments("out"))
            {
                psi.ArgumentList.Add(arg);
            }

            // The child must see only the scenario: no EMU_ variable of the caller's, no update switch.
            foreach (var key in psi.Environment.Keys.Where(k => k.StartsWith("EMU_", StringComparison.OrdinalIgnoreCase)).ToList())
            {
                psi.Environment.Remove(key);
            }

            using var p = Process.Start(psi)!;
            var stdout = p.StandardOutput.ReadToEndAsync();
            string stderr = p.StandardError.ReadToEnd();
            Assert.That(p.WaitForExit(300_000), Is.True, "emu did not finish");
            Assert.That(p.ExitCode, Is.EqualTo(0), $"emu {string.Join(' ', golden.Arguments("out"))} exited {p.ExitCode}: {stderr}{stdout.Result}");
            return File.ReadAllText(Path.Combine(work, "out", "result.json"));
        }
        finally
        {
            Directory.Delete(work, recursive: true);
        }
    }
}
