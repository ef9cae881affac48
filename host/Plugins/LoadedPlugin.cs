using Emu.Core.Contracts;

namespace Emu.Host.Plugins;

/// <summary>A plugin loaded from its folder, with what `emu plugins` reports about it.</summary>
internal sealed record LoadedPlugin(IEmuPlugin Plugin, string Folder, string AssemblyPath, string Sha256);
