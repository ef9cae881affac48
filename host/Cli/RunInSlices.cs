namespace Emu.Host.Cli;

/// <summary>
/// How the host runs a simulation to its end: in slices of simulated time, looking at the interruption between
/// them. Every command runs the model this way (`emu run`, `emu bench`, `emu sweep`'s points), so that they time and
/// run the same code: the loop called once per slice is promoted to tier-1 code by tiered compilation, while a loop
/// called once for the whole run stays in its on-stack-replacement variant, which the JIT compiles differently.
/// </summary>
internal static class RunInSlices
{
    /// <summary>Simulated time between two looks at the interruption: short in wall time, and results do not depend on it.</summary>
    public const long SliceNs = 1_000_000;

    /// <summary>Runs to the simulation's end, unless it fails or <paramref name="interrupted"/> says stop.</summary>
    public static void ToEnd(Core.Building.Simulation simulation, Func<bool> interrupted)
    {
        while (simulation.Now < simulation.EndTimeNs && simulation.Failure is null && !interrupted())
        {
            simulation.RunUntil(Math.Min(simulation.EndTimeNs, simulation.Now + SliceNs));
        }
    }
}
