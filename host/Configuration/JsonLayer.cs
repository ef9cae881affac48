using System.Text;
using System.Text.Json;
using Emu.Core.Configuration;

namespace Emu.Host.Configuration;

/// <summary>
/// One JSON configuration file, read strictly and flattened to configuration keys (<c>Vms:0:Name</c>), each with the
/// line it came from: bytes that are not UTF-8, a syntax error (with line and column), a key given twice in one object
/// (configuration keys ignore case, so "simulation" repeats "Simulation") and a top-level section given a single
/// value are refused, naming the file; empty arrays are kept as such so that they replace an earlier layer's.
/// </summary>
internal sealed class JsonLayer
{
    private static readonly UTF8Encoding StrictUtf8 = new(encoderShouldEmitUTF8Identifier: false, throwOnInvalidBytes: true);

    private JsonLayer(string path)
    {
        Path = path;
    }

    public string Path { get; }

    /// <summary>Every value, by configuration key.</summary>
    public Dictionary<string, string?> Values { get; } = new(StringComparer.OrdinalIgnoreCase);

    /// <summary>Where each value came from: "FILE line N".</summary>
    public Dictionary<string, string> Origins { get; } = new(StringComparer.OrdinalIgnoreCase);

    /// <summary>Arrays written as []: they replace what an earlier layer had there.</summary>
    public HashSet<string> Empty { get; } = new(StringComparer.OrdinalIgnoreCase);

    public static JsonLayer Read(string path)
    {
        byte[] bytes;
        try
        {
            bytes = File.ReadAllBytes(path);
        }
        catch (Exception ex) when (ex is IOException or UnauthorizedAccessException)
        {
            throw new EmuConfigurationException($"{path}: cannot read it ({ex.Message.TrimEnd('.')})");
        }

        var span = bytes.AsSpan();
        if (span.StartsWith(new byte[] { 0xEF, 0xBB, 0xBF }))
        {
            span = span[3..];
        }

        try
        {
            StrictUtf8.GetCharCount(span);
        }
        catch (DecoderFallbackException ex)
        {
            int at = Math.Max(0, ex.Index);
            var (line, column) = Position(span, at);
            throw new EmuConfigurationException($"{path}: line {line}, column {column}: not UTF-8 (byte 0x{span[at]:X2}); save the file as UTF-8");
        }

        var layer = new JsonLayer(path);
        try
        {
            layer.Flatten(span.ToArray());
        }
        catch (InvalidOperationException ex)
        {
            // A string that is not text (a lone surrogate escape such as "\uDC00").
            throw new EmuConfigurationException($"{path}: not a valid JSON configuration: {ex.Message}");
        }
        catch (JsonException ex)
        {
            string message = ex.Message.Split(" LineNumber:", 2)[0].TrimEnd('.', ' ');
            throw new EmuConfigurationException($"{path}: line {(ex.LineNumber ?? 0) + 1}, column {(ex.BytePositionInLine ?? 0) + 1}: JSON syntax error: {message}");
        }

        return layer;
    }

    private void Flatten(byte[] json)
    {
        var reader = new Utf8JsonReader(json, new JsonReaderOptions { CommentHandling = JsonCommentHandling.Skip, AllowTrailingCommas = true });
        var frames = new Stack<Frame>();
        string? property = null;
        while (reader.Read())
        {
            switch (reader.TokenType)
            {
                case JsonTokenType.PropertyName:
                    property = reader.GetString()!;
                    var names = frames.Peek().Names!;
                    if (!names.Add(property))
                    {
                        var (line, column) = Position(json, (int)reader.TokenStartIndex);
                        throw new EmuConfigurationException($"{Path}: line {line}, column {column}: '{Child(frames.Peek(), property)}' is given twice (keys ignore case); the second would silently merge into the first");
                    }

                    break;
                case JsonTokenType.StartObject:
                case JsonTokenType.StartArray:
                    bool isArray = reader.TokenType == JsonTokenType.StartArray;
                    if (frames.Count == 0)
                    {
                        if (isArray)
                        {
                            throw Error(json, reader, "the file must be a JSON object of sections, not an array");
                        }

                        frames.Push(new Frame(string.Empty, isArray: false));
                        break;
                    }

                    string path = NextKey(frames.Peek(), ref property);
                    frames.Push(new Frame(path, isArray) { Line = Position(json, (int)reader.TokenStartIndex).Line });
                    break;
                case JsonTokenType.EndObject:
                case JsonTokenType.EndArray:
                    var done = frames.Pop();
                    if (done.Children == 0 && done.Path.Length > 0)
                    {
                        // As Microsoft.Extensions.Configuration's JSON provider has it: the key, with an empty value.
                        Values[done.Path] = string.Empty;
                        Origins[done.Path] = $"{Path} line {done.Line}";
                        if (done.IsArray)
                        {
                            Empty.Add(done.Path);
                        }
                    }

                    break;
                default:
                    if (frames.Count == 0)
                    {
                        throw Error(json, reader, "the file must be a JSON object of sections");
                    }

                    string raw = reader.TokenType == JsonTokenType.String ? reader.GetString()! : Encoding.UTF8.GetString(reader.ValueSpan);
                    if (frames.Count == 1)
                    {
                        throw Error(json, reader, $"'{property}' is a section, but the file gives it a single value ({raw}); write \"{property}\": {{ ... }}");
                    }

                    string key = NextKey(frames.Peek(), ref property);
                    Values[key] = reader.TokenType == JsonTokenType.Null ? string.Empty : raw;
                    Origins[key] = $"{Path} line {Position(json, (int)reader.TokenStartIndex).Line}";
                    break;
            }
        }
    }

    private static string NextKey(Frame parent, ref string? property)
    {
        parent.Children++;
        string name = parent.IsArray ? (parent.Children - 1).ToString(System.Globalization.CultureInfo.InvariantCulture) : property!;
        property = null;
        return Child(parent, name);
    }

    private static string Child(Frame parent, string name) => parent.Path.Length == 0 ? name : $"{parent.Path}:{name}";

    private EmuConfigurationException Error(byte[] json, Utf8JsonReader reader, string message)
    {
        var (line, column) = Position(json, (int)reader.TokenStartIndex);
        return new EmuConfigurationException($"{Path}: line {line}, column {column}: {message}");
    }

    /// <summary>1-based line and column (in bytes) of a byte offset.</summary>
    private static (int Line, int Column) Position(ReadOnlySpan<byte> json, int offset)
    {
        var before = json[..Math.Min(offset, json.Length)];
        int line = before.Count((byte)'\n') + 1;
        int lastBreak = before.LastIndexOf((byte)'\n');
        return (line, offset - lastBreak);
    }

    private sealed class Frame
    {
        public Frame(string path, bool isArray)
        {
            Path = path;
            IsArray = isArray;
            Names = isArray ? null : new HashSet<string>(StringComparer.OrdinalIgnoreCase);
        }

        public string Path { get; }
        public bool IsArray { get; }
        public HashSet<string>? Names { get; }
        public int Children { get; set; }

        /// <summary>The line the container starts on.</summary>
        public int Line { get; init; }
    }
}
