namespace Emu.Core.Randomness;

/// <summary>
/// xoshiro256** seeded through SplitMix64: our own generator, so that a seed gives the same numbers on
/// every .NET version (System.Random's seeded sequence is not a documented contract).
/// </summary>
public sealed class RandomStream
{
    private ulong _s0, _s1, _s2, _s3;

    public RandomStream(ulong seed)
    {
        ulong x = seed;
        _s0 = SplitMix64(ref x);
        _s1 = SplitMix64(ref x);
        _s2 = SplitMix64(ref x);
        _s3 = SplitMix64(ref x);
    }

    /// <summary>
    /// The stream for one purpose and id (e.g. "workload", vCPU 3), derived from the scenario seed so that
    /// adding a stream never perturbs another.
    /// </summary>
    public static RandomStream Derive(long scenarioSeed, string purpose, long id = 0) =>
        new(DeriveSeed(scenarioSeed, purpose, id));

    public static ulong DeriveSeed(long scenarioSeed, string purpose, long id)
    {
        ArgumentNullException.ThrowIfNull(purpose);
        ulong h = 14695981039346656037UL; // FNV-1a: stable, unlike string.GetHashCode
        foreach (char c in purpose)
        {
            h = (h ^ c) * 1099511628211UL;
        }

        ulong x = (ulong)scenarioSeed ^ h;
        ulong a = SplitMix64(ref x);
        x = a ^ (ulong)id * 0x9E3779B97F4A7C15UL;
        return SplitMix64(ref x);
    }

    public ulong NextUInt64()
    {
        ulong result = RotateLeft(_s1 * 5, 7) * 9;
        ulong t = _s1 << 17;
        _s2 ^= _s0;
        _s3 ^= _s1;
        _s1 ^= _s2;
        _s0 ^= _s3;
        _s2 ^= t;
        _s3 = RotateLeft(_s3, 45);
        return result;
    }

    /// <summary>Uniform in [0, 1).</summary>
    public double NextDouble() => (NextUInt64() >> 11) * (1.0 / (1UL << 53));

    /// <summary>Uniform in [0, <paramref name="bound"/>), without modulo bias.</summary>
    public int NextInt(int bound)
    {
        if (bound <= 0)
        {
            throw new ArgumentOutOfRangeException(nameof(bound), bound, "must be positive");
        }

        // Lemire's multiply-shift: the high half of the 128-bit product (Math.BigMul: one MUL, and ReadyToRun
        // precompiles it, where UInt128's operators left the method to the JIT at start-up). A draw is rejected when
        // the low half is below 2^64 mod bound, which is below bound: only then is that remainder (a division) needed.
        ulong high = Math.BigMul(NextUInt64(), (ulong)bound, out ulong low);
        if (low < (ulong)bound)
        {
            ulong threshold = (0UL - (ulong)bound) % (ulong)bound;
            while (low < threshold)
            {
                high = Math.BigMul(NextUInt64(), (ulong)bound, out low);
            }
        }

        return (int)high;
    }

    /// <summary>An exponentially distributed duration with the given mean (at least 1 ns when the mean is positive).</summary>
    public long Exponential(long meanNs)
    {
        if (meanNs <= 0)
        {
            return 0;
        }

        double u = 1.0 - NextDouble(); // (0, 1]
        long v = (long)(-Math.Log(u) * meanNs);
        return Math.Max(1, v);
    }

    private static ulong SplitMix64(ref ulong x)
    {
        ulong z = x += 0x9E3779B97F4A7C15UL;
        z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9UL;
        z = (z ^ (z >> 27)) * 0x94D049BB133111EBUL;
        return z ^ (z >> 31);
    }

    private static ulong RotateLeft(ulong x, int k) => (x << k) | (x >> (64 - k));
}
