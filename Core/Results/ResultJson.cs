using System.Globalization;
using System.Text.Encodings.Web;
using System.Text.Json;
using System.Text.Json.Nodes;
using System.Text.Json.Serialization.Metadata;
using Microsoft.Extensions.Configuration;

namespace Emu.Core.Results;

/// <summary>result.json: camelCase keys in declaration order, the effective configuration as a JSON tree.</summary>
public static class ResultJson
{
    private static readonly JsonSerializerOptions Options = new()
    {
        PropertyNamingPolicy = JsonNamingPolicy.CamelCase,
        WriteIndented = true,
        Encoder = JavaScriptEncoder.UnsafeRelaxedJsonEscaping,
        TypeInfoResolver = JsonTypeInfoResolver.Combine(ResultJsonContext.Default, new DefaultJsonTypeInfoResolver()),
    };

    public static string Serialize(SimulationResult result) => JsonSerializer.Serialize(result, Options);

    /// <summary>
    /// Builds result.json's serialization metadata now, for every type a result holds, so that a host can do it on
    /// another thread while a run is being set up; otherwise the first result written pays for it (about 25 ms of a
    /// trivial run). Thread-safe, and idempotent.
    /// </summary>
    public static void Prepare()
    {
        Prepare(Options.GetTypeInfo(typeof(SimulationResult)), new HashSet<Type>());

        // A plugin's section is of a type only reflection knows: set up that path too (its per-type work stays).
        ToElement(new ReflectedSection(1, "section"));
    }

    /// <summary>A type outside the generated context, as a plugin's result section is.</summary>
    private sealed record ReflectedSection(long Count, string Name);

    private static void Prepare(JsonTypeInfo info, HashSet<Type> seen)
    {
        if (!seen.Add(info.Type))
        {
            return;
        }

        foreach (var property in info.Properties)
        {
            Prepare(Options.GetTypeInfo(property.PropertyType), seen);
        }

        if (info.ElementType is { } element)
        {
            Prepare(Options.GetTypeInfo(element), seen);
        }
    }

    public static SimulationResult? Deserialize(string json) => JsonSerializer.Deserialize<SimulationResult>(json, Options);

    /// <summary>
    /// The JSON Schema (draft 2020-12) of result.json, generated from the result types with System.Text.Json's
    /// JsonSchemaExporter under result.json's own naming; docs/result.schema.json is this, kept current by a test.
    /// </summary>
    public static JsonNode Schema()
    {
        var exporter = new System.Text.Json.Schema.JsonSchemaExporterOptions { TreatNullObliviousAsNonNullable = true };
        var schema = System.Text.Json.Schema.JsonSchemaExporter.GetJsonSchemaAsNode(Options, typeof(SimulationResult), exporter).AsObject();
        var root = new JsonObject
        {
            ["$schema"] = "https://json-schema.org/draft/2020-12/schema",
            ["$id"] = "https://emu.invalid/result.schema.json",
            ["title"] = "Emu result.json",
            ["description"] = $"What one emu run produced (schemaVersion {SimulationResult.CurrentSchemaVersion}); docs/results.md says what each field means.",
        };
        foreach (var (key, value) in schema.ToList())
        {
            schema.Remove(key);
            root[key] = value;
        }

        return root;
    }

    /// <summary>Any part of a result (its producer, say) as result.json writes it.</summary>
    public static string SerializeValue<T>(T value) => JsonSerializer.Serialize(value, Options);

    /// <summary>A plugin's result section as JSON, with result.json's naming.</summary>
    internal static JsonElement ToElement(object value) => JsonSerializer.SerializeToElement(value, value.GetType(), Options);

    /// <summary>
    /// The configuration as JSON: sections become objects with keys in ordinal order, sections whose keys are
    /// 0..n-1 become arrays, and values that read as numbers or booleans are written as such.
    /// </summary>
    public static JsonNode ConfigurationToJson(IConfiguration configuration)
    {
        ArgumentNullException.ThrowIfNull(configuration);
        return SectionToJson(configuration.GetChildren().ToList());
    }

    private static JsonNode SectionToJson(List<IConfigurationSection> children)
    {
        children.Sort((a, b) => string.CompareOrdinal(a.Key, b.Key));
        bool isArray = children.Count > 0 && children.All(c => int.TryParse(c.Key, NumberStyles.None, CultureInfo.InvariantCulture, out _));
        if (isArray)
        {
            var arr = new JsonArray();
            foreach (var c in Configuration.IndexOrder.Of(children))
            {
                arr.Add(NodeFor(c));
            }

            return arr;
        }

        var obj = new JsonObject();
        foreach (var c in children)
        {
            obj[c.Key] = NodeFor(c);
        }

        return obj;
    }

    private static JsonNode? NodeFor(IConfigurationSection section)
    {
        var children = section.GetChildren().ToList();
        if (children.Count > 0)
        {
            return SectionToJson(children);
        }

        string? v = section.Value;
        if (v is null)
        {
            return null;
        }

        if (long.TryParse(v, NumberStyles.AllowLeadingSign, CultureInfo.InvariantCulture, out long l))
        {
            return JsonValue.Create(l);
        }

        if (double.TryParse(v, NumberStyles.Float, CultureInfo.InvariantCulture, out double d) && double.IsFinite(d))
        {
            return JsonValue.Create(d);
        }

        if (bool.TryParse(v, out bool b))
        {
            return JsonValue.Create(b);
        }

        return JsonValue.Create(v);
    }
}
