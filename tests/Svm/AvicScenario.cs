using Emu.Core.Results;
using Emu.Plugins.Svm;

namespace Emu.Tests.Svm;

/// <summary>Scenario helpers with the Svm plugin loaded.</summary>
internal static class AvicScenario
{
    public static SimulationResult Run(Dictionary<string, string?> keys) => Scenario.Run(keys, new SvmPlugin());

    public static Dictionary<string, string?> Strict(this Dictionary<string, string?> keys, bool strict) =>
        keys.With("Svm:AvicDoorbellStrict", strict ? "true" : "false");

    /// <summary>Sums the incomplete-IPI exits of every cause.</summary>
    public static long IncompleteIpiExits(this SimulationResult r)
    {
        var e = r.Totals.VmExits.AvicIncompleteIpi;
        return e.TargetNotRunning + e.InvalidTarget + e.InvalidIntType + e.InvalidBackingPage + e.InvalidIpiVector;
    }
}
