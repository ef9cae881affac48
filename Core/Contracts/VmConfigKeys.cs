namespace Emu.Core.Contracts;

/// <summary>
/// VM sub-keys (<c>Vms:i:&lt;Key&gt;</c>) a plugin reads beside Core's (register as a singleton), so that Core
/// accepts them and still rejects typos. A <see cref="IWorkloadDecorator"/>'s own key needs no declaration.
/// </summary>
public sealed record VmConfigKeys(IReadOnlyList<string> Keys);
