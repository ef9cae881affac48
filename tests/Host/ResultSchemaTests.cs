using System.Text.Json.Nodes;
using Emu.Core.Results;
using Json.Schema;

namespace Emu.Tests.Host;

/// <summary>docs/result.schema.json is the schema of the result types, and real results validate against it.</summary>
public class ResultSchemaTests
{
    private static string SchemaFile => Path.Combine(Cli.RepoRoot, "docs", "result.schema.json");

    /// <summary>Parsed once: JsonSchema.Net registers a schema by its $id, globally.</summary>
    private static readonly Lazy<JsonSchema> Shipped = new(() => JsonSchema.FromText(File.ReadAllText(SchemaFile)));

    [Test]
    public void TheShippedSchema_IsTheOneTheResultTypesGive()
    {
        string generated = ResultJson.Schema().ToJsonString(new System.Text.Json.JsonSerializerOptions { WriteIndented = true }) + "\n";
        if (Environment.GetEnvironmentVariable("GOLDEN_UPDATE") == "1")
        {
            File.WriteAllText(SchemaFile, generated);
        }

        Assert.That(File.ReadAllText(SchemaFile), Is.EqualTo(generated), "docs/result.schema.json is stale: re-record with GOLDEN_UPDATE=1 dotnet test --filter FullyQualifiedName~ResultSchema");
    }

    [TestCase(null)]
    [TestCase("devices-nvme.json")]
    [TestCase("nested-overcommit.json")]
    public void RealResults_ValidateAgainstIt(string? scenario)
    {
        using var cli = new Cli();
        var args = new List<string> { "run", "--out", cli.OutDir, "-v", "q", "--set", "Simulation:DurationUs=1000" };
        if (scenario is not null)
        {
            args.AddRange(new[] { "--config", Cli.Scenario(scenario) });
        }

        Assert.That(cli.Run(args.ToArray()).Code, Is.EqualTo(0));
        var schema = Shipped.Value;
        var result = JsonNode.Parse(File.ReadAllText(cli.ResultFile));
        using var document = System.Text.Json.JsonDocument.Parse(File.ReadAllText(cli.ResultFile));
        var evaluation = schema.Evaluate(document.RootElement, new EvaluationOptions { OutputFormat = OutputFormat.List });
        var problems = (evaluation.Details ?? new List<EvaluationResults>()).Where(d => d.Errors is { Count: > 0 }).Select(d => $"{d.InstanceLocation}: {string.Join("; ", d.Errors!.Values)}");
        Assert.That(evaluation.IsValid, Is.True, string.Join("\n", problems.Take(10)));
        Assert.That(result!["producer"]!["plugins"]!.AsArray(), Is.Not.Empty, "the producer names the plugins");
    }

    [Test]
    public void AResultMissingARequiredField_DoesNotValidate()
    {
        using var cli = new Cli();
        Assert.That(cli.RunShort("-v", "q").Code, Is.EqualTo(0));
        var result = JsonNode.Parse(File.ReadAllText(cli.ResultFile))!.AsObject();
        result["totals"]!.AsObject().Remove("ipisSent");
        var schema = Shipped.Value;
        using var document = System.Text.Json.JsonDocument.Parse(result.ToJsonString());
        Assert.That(schema.Evaluate(document.RootElement).IsValid, Is.False, "the schema is not a blank check");
    }
}
