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
