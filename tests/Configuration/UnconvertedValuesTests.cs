using Emu.Core.Configuration;
using Emu.Plugins.Svm;
using Microsoft.Extensions.Configuration;

namespace Emu.Tests.Configuration;

/// <summary>A list element or key the binder cannot convert is bad input, named; before, the binder dropped it silently.</summary>
public class UnconvertedValuesTests
{
    private static IReadOnlyList<string> Errors(Dictionary<string, string?> keys) => Scenario.Builder(keys, new SvmPlugin()).Validate();

    [TestCase("Vms:0:Cpus:0", "x", "Vms:0:Cpus:0: cannot convert the value to Int32")]
    [TestCase("Vms:0:VcpuCpus:0:0", "zz", "Vms:0:VcpuCpus:0:0: cannot convert the value to Int32")]
    [TestCase("Vms:0:VcpuCpus:q:0", "1", "Vms:0:VcpuCpus:q: 'q' is not a number")]
    public void AValueThatIsNoNumber_IsNamed(string key, string value, string message)
    {
        var errors = Errors(Scenario.Defaults().With(key, value));
        Assert.That(errors, Has.Some.Contains(message), string.Join("\n", errors));
    }

    [Test]
    public void NumbersAsTheBinderReadsThem_Pass()
    {
        var keys = Scenario.Defaults().With("Vms:0:Cpus:0", "0x1").With("Vms:0:Cpus:1", "2").With("Vms:0:VcpuCpus:0:0", "1");
        Assert.That(Errors(keys), Is.Empty);
    }

    /// <summary>Any section bound through OptionsValidation.Bind (a plugin's options too): its lists and maps are checked.</summary>
    [Test]
    public void APluginsOptions_BoundThroughOptionsValidation_HaveTheirCollectionsChecked()
    {
        var config = new ConfigurationBuilder().AddInMemoryCollection(new Dictionary<string, string?>
        {
            ["Mine:Limits:0"] = "5", ["Mine:Limits:1"] = "five",
            ["Mine:Weights:a"] = "0.5", ["Mine:Weights:b"] = "half",
            ["Mine:Modes:0"] = "Fast", ["Mine:Modes:1"] = "Sideways",
        }).Build();
        var errors = new List<string>();
        var bound = OptionsValidation.Bind<PluginLikeOptions>(config, "Mine", errors);

        Assert.That(errors, Is.EquivalentTo(new[]
        {
            "Mine:Limits:1: cannot convert the value to Int64",
            "Mine:Weights:b: cannot convert the value to Double",
            "Mine:Modes:1: cannot convert the value to Mode",
        }));
        Assert.That(bound.Limits, Is.EqualTo(new[] { 5L }), "what converts is still bound");
    }

    public enum Mode
    {
        Slow,
        Fast,
    }

    public sealed class PluginLikeOptions
    {
        public List<long> Limits { get; set; } = new();

        public Dictionary<string, double> Weights { get; set; } = new();

        public List<Mode> Modes { get; set; } = new();
    }
}
