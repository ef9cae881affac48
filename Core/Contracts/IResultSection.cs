namespace Emu.Core.Contracts;

/// <summary>
/// A plugin's own figures in result.json: the plugin counts them itself and hands them over per VM, under
/// <c>vms[i].&lt;Key&gt;</c>, serialized with result.json's naming (camelCase, declaration order). Register it as a
/// service; Core asks every registered section when it builds a result, and resets them when the warm-up ends.
/// </summary>
public interface IResultSection
{
    /// <summary>The key under each VM (e.g. "nested").</summary>
    string Key { get; }

    /// <summary>Forgets everything counted so far (the end of the warm-up).</summary>
    void Reset();

    /// <summary>The figures of VM <paramref name="vm"/> as of now, or null where the plugin has none (the key is then left out).</summary>
    object? ForVm(int vm);
}
