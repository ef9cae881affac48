namespace Emu.Core.Contracts;

/// <summary>
/// A plugin's hardware state rendered for people (the AVIC tables in hex, say). `emu run --dump` prints every
/// registered dump at the end of the run; an embedding program reads them from <c>Simulation.StateDumps</c>.
/// Not on any hot path.
/// </summary>
public interface IStateDump
{
    /// <summary>A heading for the dump.</summary>
    string Title { get; }

    /// <summary>The state as lines of text, as of now.</summary>
    IEnumerable<string> Lines();
}
