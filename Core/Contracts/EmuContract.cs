namespace Emu.Core.Contracts;

/// <summary>
/// The version of Core's plugin contracts. Semantic: a plugin built against the same major version loads;
/// another major is refused. The constants are baked into a plugin when it compiles, so a plugin reports
/// the contract it was really built against.
/// </summary>
public static class EmuContract
{
    public const int Major = 2;
    public const int Minor = 2;

    public static Version Version => new(Major, Minor);

    public static bool IsCompatible(Version pluginContract) =>
        pluginContract is not null && pluginContract.Major == Major;
}
