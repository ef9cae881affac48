namespace Emu.Host.Sweeps;

/// <summary>The two-sided 95% quantile of Student's t distribution, for confidence intervals of small samples.</summary>
internal static class StudentT
{
    // t(0.975, df) for df = 1..30 (any statistics table).
    private static readonly double[] Table =
    {
        12.706, 4.303, 3.182, 2.776, 2.571, 2.447, 2.365, 2.306, 2.262, 2.228,
        2.201, 2.179, 2.160, 2.145, 2.131, 2.120, 2.110, 2.101, 2.093, 2.086,
        2.080, 2.074, 2.069, 2.064, 2.060, 2.056, 2.052, 2.048, 2.045, 2.042,
    };

    public static double Quantile975(int degreesOfFreedom)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(degreesOfFreedom, 1);
        if (degreesOfFreedom <= Table.Length)
        {
            return Table[degreesOfFreedom - 1];
        }

        // Cornish-Fisher expansion around the normal quantile: within 0.001 of the table beyond df = 30.
        const double Z = 1.959964;
        double df = degreesOfFreedom;
        return Z + (((Z * Z * Z) + Z) / (4 * df)) + ((5 * Math.Pow(Z, 5) + (16 * Z * Z * Z) + (3 * Z)) / (96 * df * df));
    }
}
