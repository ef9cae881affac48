using Emu.Plugins.Svm;

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
}
