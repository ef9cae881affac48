using System.CommandLine;
using System.Text.Encodings.Web;
using System.Text.Json;
using System.Text.Json.Nodes;

namespace Emu.Host.Cli;

/// <summary><c>--json</c>: a command's result as one JSON document on stdout (status lines stay on stderr), for scripts.</summary>
internal static class JsonOutput
{
    private static readonly JsonSerializerOptions Options = new() { WriteIndented = true, Encoder = JavaScriptEncoder.UnsafeRelaxedJsonEscaping };

    public static Option<bool> Create() => new("--json") { Description = "Print the result as JSON on stdout instead of a table." };

    public static void Write(TextWriter writer, JsonNode node) => writer.WriteLine(node.ToJsonString(Options));
}
