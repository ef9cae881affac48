using Emu.Plugins.Schedulers;

namespace Emu.Tests.Schedulers;

/// <summary>The idle-pCPU bitmap against a plain array of flags: the same members, the same next member.</summary>
public class CpuBitmapTests
{
    [TestCase(1)]
    [TestCase(63)]
    [TestCase(64)]
    [TestCase(65)]
    [TestCase(130)]
    [TestCase(1024)]
    public void NextAtOrAfter_FindsWhatAScanOfFlagsFinds_ThroughRandomAddsAndRemoves(int count)
    {
        var random = new Random(count); // a fixed seed: the test is the same every run
        var bitmap = new CpuBitmap(count);
        var flags = new bool[count];
        for (int step = 0; step < 20_000; step++)
        {
            int cpu = random.Next(count);
            switch (random.Next(10))
            {
                case 0:
                    bitmap.AddAll();
                    Array.Fill(flags, true);
                    break;
                case < 5:
                    bitmap.Add(cpu);
                    flags[cpu] = true;
                    break;
                default:
                    bitmap.Remove(cpu);
                    flags[cpu] = false;
                    break;
            }

            int from = random.Next(count + 2);
            int expected = -1;
            for (int c = from; c < count; c++)
            {
                if (flags[c])
                {
                    expected = c;
                    break;
                }
            }

            Assert.That(bitmap.NextAtOrAfter(from), Is.EqualTo(expected), $"step {step}, from {from}");
            Assert.That(bitmap.Contains(cpu), Is.EqualTo(flags[cpu]));
        }
    }

    [TestCase(1)]
    [TestCase(5)]
    [TestCase(64)]
    [TestCase(100)]
    public void CyclicScan_MeetsTheMembersInTheOrderAScanOfEveryPcpuFromTheOriginDoes(int count)
    {
        var random = new Random(count);
        for (int trial = 0; trial < 500; trial++)
        {
            var bitmap = new CpuBitmap(count);
            var flags = new bool[count];
            for (int c = 0; c < count; c++)
            {
                flags[c] = random.Next(3) == 0;
                if (flags[c])
                {
                    bitmap.Add(c);
                }
            }

            int origin = random.Next(count);
            var expected = Enumerable.Range(0, count).Select(i => (origin + i) % count).Where(c => flags[c]).ToList();
            var met = new List<int>();
            for (int c = bitmap.FirstCyclic(origin); c >= 0; c = bitmap.NextCyclic(c, origin))
            {
                met.Add(c);
            }

            Assert.That(met, Is.EqualTo(expected), $"trial {trial}, origin {origin}");
        }
    }

    [Test]
    public void AddAll_HoldsEveryPcpuAndNothingBeyond()
    {
        var bitmap = new CpuBitmap(70);
        bitmap.AddAll();
        Assert.That(bitmap.NextAtOrAfter(69), Is.EqualTo(69));
        Assert.That(bitmap.NextAtOrAfter(70), Is.EqualTo(-1));
        bitmap.Remove(69);
        Assert.That(bitmap.NextAtOrAfter(65), Is.EqualTo(65));
        Assert.That(bitmap.NextAtOrAfter(69), Is.EqualTo(-1), "bits past the last pCPU are not members");
    }
}
