using System.Globalization;
using Emu.Core.Results;
using Emu.Plugins.Svm;
using Emu.Tests.Golden;
using Emu.Tests.Host;
using Microsoft.Extensions.Configuration;
using ScottPlot;

namespace Emu.Tests.Fidelity;

/// <summary>
/// docs/fidelity.md's plot of the victim's slowdown against the flood gap, in both modes, from the shipped
/// doorbell-spam scenario. The test checks the curve the plot shows; with GOLDEN_UPDATE=1 it redraws
/// docs/images/doorbell-spam-slowdown.png from the same runs.
/// </summary>
public class SpamCurveDocTests
{
    private static readonly long[] Gaps = { 100, 200, 500, 1000, 2500, 5000, 10000, 20000 };

    private static long VictimUseful(SimulationResult r) => r.Vms[1].Vcpus[0].GuestNs - r.Vms[1].Vcpus[0].StolenNs;

    private static SimulationResult Run(long gap, string strict, bool flood)
    {
        var config = new ConfigurationBuilder()
            .AddJsonFile(Cli.Scenario("doorbell-spam.json"))
            .Build();
        using var sim = new Emu.Core.Building.EmuBuilder()
            .UseConfiguration(config)
            .AddPlugin(new Emu.Plugins.Schedulers.SchedulersPlugin())
            .AddPlugin(new SvmPlugin())
            .Set("Simulation:DurationUs", "20000")
            .Set("Vms:0:Workload:GapNs", gap.ToString(CultureInfo.InvariantCulture))
            .Set("Vms:0:Workload:Flood", flood ? "true" : "false")
            .Set("Svm:AvicDoorbellStrict", strict)
            .Build();
        return sim.Run();
    }

    [Test]
    public void VictimSlowdown_AgainstTheFloodGap_MatchesTheDocumentedCurve()
    {
        var strict = new double[Gaps.Length];
        var nonStrict = new double[Gaps.Length];
        for (int i = 0; i < Gaps.Length; i++)
        {
            double baseline = VictimUseful(Run(Gaps[i], "false", flood: false));
            strict[i] = 1 - (VictimUseful(Run(Gaps[i], "true", flood: true)) / baseline);
            nonStrict[i] = 1 - (VictimUseful(Run(Gaps[i], "false", flood: true)) / baseline);

            // One SpuriousDoorbellNs (1 us) per gap while gaps are longer than the handler; from there down, doorbells
            // coalesce and the victim keeps about one gap in every (handler + gap).
            double expected = Gaps[i] > 1000 ? 1000.0 / Gaps[i] : 1000.0 / (1000 + Gaps[i]);
            Assert.That(nonStrict[i], Is.EqualTo(expected).Within(0.02), $"non-strict, gap {Gaps[i]} ns");
            Assert.That(strict[i], Is.LessThan(0.005), $"strict, gap {Gaps[i]} ns");
        }

        Assert.That(nonStrict.Max(), Is.LessThan(0.95), "the slowdown saturates below 100 %");
        if (Environment.GetEnvironmentVariable(GoldenResultTests.UpdateVariable) == "1")
        {
            Draw(strict, nonStrict, Path.Combine(Cli.RepoRoot, "docs", "images", "doorbell-spam-slowdown.png"));
        }
    }

    private static void Draw(double[] strict, double[] nonStrict, string file)
    {
        var plot = new Plot();
        double[] xs = Gaps.Select(g => Math.Log10(g)).ToArray();
        var ns = plot.Add.Scatter(xs, nonStrict.Select(v => v * 100).ToArray());
        ns.LegendText = "non-strict (avic_doorbell_strict=0)";
        var st = plot.Add.Scatter(xs, strict.Select(v => v * 100).ToArray());
        st.LegendText = "strict (KVM's default)";
        plot.Axes.Bottom.SetTicks(xs, Gaps.Select(g => g >= 1000 ? $"{g / 1000.0:0.#} us" : $"{g} ns").ToArray());
        plot.XLabel("attacker's gap between ICR writes");
        plot.YLabel("victim slowdown (%)");
        plot.Axes.SetLimitsY(0, 100);
        plot.Title("Doorbell spam: victim slowdown vs flood gap (doorbell-spam.json, 20 ms)");
        plot.ShowLegend(Alignment.UpperRight);
        plot.SavePng(file, 900, 500);
    }
}
