using Emu.Core.Configuration;
using Emu.Core.Results;
using Microsoft.Extensions.Configuration;

namespace Emu.Tests.Configuration;

/// <summary>A section's children by index: what the stable LINQ OrderBy it replaces gave.</summary>
public class IndexOrderTests
{
    [Test]
    public void Children_ComeByTheirIndex_NumbersBeforeOtherKeys_TiesInTheirGivenOrder()
    {
        var config = new ConfigurationBuilder().AddInMemoryCollection(new Dictionary<string, string?>
        {
            ["Vms:10"] = "j", ["Vms:2"] = "c", ["Vms:x"] = "x", ["Vms:0"] = "a", ["Vms:1"] = "b", ["Vms:01"] = "b2", ["Vms:y"] = "y", ["Vms:-3"] = "m",
        }).Build();
        // GetChildren already sorts numbers first: reversed, the order has to be made, not kept.
        var children = config.GetSection("Vms").GetChildren().Reverse().ToList();

        var expected = children.OrderBy(c => int.TryParse(c.Key, out int n) ? n : int.MaxValue).Select(c => c.Key).ToList();
        var ordered = IndexOrder.Of(children).Select(c => c.Key).ToList();

        Assert.That(ordered, Is.EqualTo(expected), "the same order as a stable OrderBy");
        Assert.That(ordered.IndexOf("-3"), Is.Zero);
        Assert.That(ordered.IndexOf("10"), Is.GreaterThan(ordered.IndexOf("2")), "by number, not by text");
        Assert.That(ordered.TakeLast(2), Is.EquivalentTo(new[] { "x", "y" }), "keys that are not numbers last");
    }

    [Test]
    public void ResultConfiguration_KeepsAnArrayOfTwelveInIndexOrder()
    {
        var keys = Enumerable.Range(0, 12).ToDictionary(i => $"Vms:{i}:Name", i => (string?)$"vm{i}");
        var json = ResultJson.ConfigurationToJson(new ConfigurationBuilder().AddInMemoryCollection(keys).Build());
        var names = json["Vms"]!.AsArray().Select(v => (string)v!["Name"]!).ToList();
        Assert.That(names, Is.EqualTo(Enumerable.Range(0, 12).Select(i => $"vm{i}")));
    }
}
