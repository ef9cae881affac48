using System.Text.Json.Serialization;

namespace Emu.Core.Results;

/// <summary>
/// result.json's types as compile-time metadata (System.Text.Json's source generator): writing the first result no
/// longer builds the metadata by reflection, about 45 ms of a trivial `emu run` (issue 19). A plugin's own result section
/// is of a type unknown here and still goes through reflection (<see cref="ResultJson"/>'s fallback resolver).
/// </summary>
[JsonSourceGenerationOptions(PropertyNamingPolicy = JsonKnownNamingPolicy.CamelCase, WriteIndented = true)]
[JsonSerializable(typeof(SimulationResult))]
[JsonSerializable(typeof(Producer))]
internal sealed partial class ResultJsonContext : JsonSerializerContext;
