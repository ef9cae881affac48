using Emu.Core.Configuration;
using Emu.Plugins.Svm;

namespace Emu.Tests.Devices;

/// <summary>Vms:i:Devices is checked whole: each problem names its key.</summary>
public class DeviceConfigTests
{
    private static IReadOnlyList<string> Errors(Dictionary<string, string?> keys) => Scenario.Builder(keys, new SvmPlugin()).Validate();

    private static Dictionary<string, string?> OneDevice() => Scenario.Defaults().Device(0, 20_000, 0x40, new[] { 0, 1 });

    [Test]
    public void AValidDevice_HasNoErrors() => Assert.That(Errors(OneDevice()), Is.Empty);

    [TestCase("Vms:0:Devices:0:Vector", "16", "Vms:0:Devices:0:Vector: must be between 32 and 235")]
    [TestCase("Vms:0:Devices:0:Vector", "236", "Vms:0:Devices:0:Vector: must be between 32 and 235")]
    [TestCase("Vms:0:Devices:0:Jitter", "1.5", "Vms:0:Devices:0:Jitter: must be between 0 and 1")]
    [TestCase("Vms:0:Devices:0:IntervalNs", "0", "Vms:0:Devices:0:IntervalNs: must be between 1 and")]
    [TestCase("Vms:0:Devices:0:Vcpus:2", "4", "Vms:0:Devices:0:Vcpus: VM 'vm0' has no vCPU 4")]
    [TestCase("Vms:0:Devices:0:Vcpus:2", "1", "Vms:0:Devices:0:Vcpus: vCPU 1 is listed twice")]
    [TestCase("Vms:0:Devices:0:HostCpu", "8", "Vms:0:Devices:0:HostCpu: pCPU 8 does not exist")]
    [TestCase("Vms:0:Devices:0:Vcpus:1", "one", "Vms:0:Devices:0:Vcpus:1: cannot convert the value to Int32")]
    [TestCase("Vms:0:Devices:0:Vectr", "64", "Vms:0:Devices:0:Vectr")]
    [TestCase("Vms:0:Devices:0:Name", "", "Vms:0:Devices:0:Name")]
    [TestCase("Vms:0:Devices:0:Trigger", "Sometimes", "Vms:0:Devices:0")]
    public void ABadValue_IsNamed(string key, string value, string message)
    {
        var errors = Errors(OneDevice().With(key, value));
        Assert.That(errors, Has.Some.Contains(message), string.Join("\n", errors));
    }

    /// <summary>Vectors are written in hex in the APM and the kernel: the binder reads "0x41" (a compile-time binder did not).</summary>
    [Test]
    public void AVectorInHex_IsReadAsItsNumber()
    {
        Assert.That(Errors(OneDevice().With("Vms:0:Devices:0:Vector", "0x41")), Is.Empty);
        Assert.That(Errors(OneDevice().With("Vms:0:Devices:0:Vector", "0x10")), Has.Some.Contains("Vms:0:Devices:0:Vector: must be between 32 and 235"));
    }

    [Test]
    public void TwoDevices_WithOneVector_AreRefused()
    {
        var errors = Errors(OneDevice().Device(1, 20_000, 0x40, new[] { 2 }, name: "nic0"));
        Assert.That(errors, Has.Some.Contains("Vms:0:Devices:1:Vector: 0x40 is used by device 'dev0'"));
    }

    [Test]
    public void TwoDevices_WithOneName_AreRefused()
    {
        var errors = Errors(OneDevice().Device(1, 20_000, 0x41, new[] { 2 }, name: "dev0"));
        Assert.That(errors, Has.Some.Contains("Vms:0:Devices:1:Name: 'dev0' is used by another device"));
    }

    [Test]
    public void IoHeavysCompletionDevice_ClashesWithADeviceOnItsVector()
    {
        var errors = Errors(Scenario.Defaults().With("Vms:0:Workload:Kind", "IoHeavy").Device(0, 20_000, 0x21, new[] { 0 }));
        Assert.That(errors, Has.Some.Contains("Vms:0:Devices: the workload's completion device 'io0'"));
        Assert.That(Errors(Scenario.Defaults().With("Vms:0:Workload:Kind", "IoHeavy").With("Vms:0:Workload:CompletionNs", "0").Device(0, 20_000, 0x21, new[] { 0 })), Is.Empty);
    }

    [Test]
    public void IommuInterruptCpu_OutsideTheHost_IsRefused()
    {
        var ex = Assert.Throws<EmuConfigurationException>(() => Scenario.Builder(OneDevice().With("Svm:IommuInterruptCpu", "99"), new SvmPlugin()).Build().Dispose());
        Assert.That(ex!.Errors, Has.Some.Contains("Svm:IommuInterruptCpu: pCPU 99 does not exist"));
    }

    [Test]
    public void ADeviceOnAVectorTheWorkloadSendsIpisWith_IsRefused()
    {
        var xapic = Scenario.Defaults().With("Vms:0:Vcpus", "2").With("Vms:0:Workload:Kind", "XapicIpiTest").Device(0, 20_000, 0xA5, new[] { 0 });
        Assert.That(Errors(xapic), Has.Some.Contains("Vms:0:Devices:0:Vector: 0xA5 is a vector the VM's workload sends IPIs with"));
        Assert.That(Errors(xapic.With("Vms:0:Devices:0:Vector", "166")), Is.Empty);
        var probe = Scenario.Defaults().With("Vms:0:Workload:Kind", "IcrProbe")
            .With("Vms:0:Workload:Writes:0:AtNs", "1000").With("Vms:0:Workload:Writes:0:Icr", "0x0100000000000040")
            .Device(0, 20_000, 0x40, new[] { 1 });
        Assert.That(Errors(probe), Has.Some.Contains("Vms:0:Devices:0:Vector: 0x40 is a vector the VM's workload sends IPIs with"));
    }
}
