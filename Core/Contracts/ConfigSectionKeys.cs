namespace Emu.Core.Contracts;

/// <summary>
/// A plugin declares the configuration keys it reads (register as a singleton), so that Core can reject typos
/// in shared sections (Costs) and unknown top-level sections with a message listing what is known.
/// </summary>
public sealed record ConfigSectionKeys(string Section, IReadOnlyList<string> Keys);
