using Emu.Core.Results;

namespace Emu.Tests;

public class SmokeTests
{
    [Test]
    public void DefaultScenario_RunsAndDeliversEveryIpi()
    {
        var r = Scenario.Run(Scenario.Defaults());
        TestContext.Out.WriteLine(ResultJson.Serialize(r));
        Assert.That(r.Completed, Is.True);
        Assert.That(r.Totals.IpisSent, Is.GreaterThan(100));
        Assert.That(r.Totals.LostWakeups, Is.Zero);
    }
}
