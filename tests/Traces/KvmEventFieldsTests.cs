using System.Text;
using Emu.Core.Model;
using Emu.Host.Traces;

namespace Emu.Tests.Traces;

/// <summary>The fields of each event the import uses, in the kernel's TP_printk formats (old and new) and trace-cmd's plugins'.</summary>
public class KvmEventFieldsTests
{
    private static byte[] B(string s) => Encoding.UTF8.GetBytes(s);

    [TestCase("vcpu 3, rip 0xffffffff81064a2e", 3)]
    [TestCase("vcpu 0, rip 0xffffffff81064a2e[immediate exit]", 0)]
    [TestCase("vcpu 12, rip 0xffffffff81064a2e inj 0x00000000 inj_error_code 0x00000000[guest]", 12)]
    [TestCase("vcpu 7", 7)]
    public void KvmEntry(string fields, int vcpu)
    {
        Assert.That(KvmEventFields.TryEntry(B(fields), out int v), Is.True);
        Assert.That(v, Is.EqualTo(vcpu));
    }

    [TestCase("vcpu 2 reason hlt rip 0xffffffff81c3f0e5 info1 0x0000000000000000 info2 0x0000000000000000 intr_info 0x00000000 error_code 0x00000000", 2, "hlt", "Halt")]
    [TestCase("vcpu 0 reason EXTERNAL_INTERRUPT rip 0xffffffff81c3f0e5 info1 0x0000000000000000 info2 0x0000000000000000 intr_info 0x800000ec error_code 0x00000000", 0, "EXTERNAL_INTERRUPT", "ExternalInterrupt")]
    [TestCase("vcpu 1 reason EPT_VIOLATION  rip 0x1 info1 0x0 info2 0x0 intr_info 0x0 error_code 0x0", 1, "EPT_VIOLATION", "NestedPageFault")]
    [TestCase("reason npf rip 0xffffffff81064a2e info 100000006 fee00300", -1, "npf", "NestedPageFault")]
    [TestCase("reason EXIT_IOIO rip 0xffffffff8106a9c2 info c0500010 ffffffff8106a9c2", -1, "EXIT_IOIO", "Io")]
    [TestCase("reason IO_INSTRUCTION rip 0x1 info 0 0", -1, "IO_INSTRUCTION", "Io")]
    [TestCase("reason HLT rip 0x1 info 0 0", -1, "HLT", "Halt")]
    [TestCase("reason UNKNOWN (1025) rip 0x1 info 0 0", -1, "UNKNOWN (1025)", "Other")]
    public void KvmExit(string fields, int vcpu, string reason, string exitClass)
    {
        Assert.That(KvmEventFields.TryExit(B(fields), out int v, out var r), Is.True);
        Assert.That((v, Encoding.UTF8.GetString(r), ExitClasses.Of(r)), Is.EqualTo((vcpu, reason, Enum.Parse<ExitClass>(exitClass))));
    }

    [TestCase("dst 1 vec 251 (Fixed|physical|assert|edge|dst)", 0x40FBu, 1UL)]
    [TestCase("dst ff vec 252 (Fixed|logical|assert|edge|dst)", 0x48FCu, 0xFFUL)]
    [TestCase("dst 0 vec 253 (Fixed|physical|assert|edge|all-but-self)", 0xC40FDu, 0UL)]
    [TestCase("dst 3 vec 0 (INIT|physical|assert|level|dst)", 0xC500u, 3UL)]
    [TestCase("dst 3 vec 154 (SIPI|physical|de-assert|edge|dst)", 0x69Au, 3UL)]
    [TestCase("dst 0 vec 2 (NMI|physical|assert|edge|self)", 0x44402u, 0UL)]
    [TestCase("dst ffffffff vec 251 (LowPrio|physical|assert|edge|dst)", 0x41FBu, 0xFFFFFFFFUL)]
    public void KvmApicIpi_RebuildsTheIcr(string fields, uint low, ulong destination)
    {
        Assert.That(KvmEventFields.TryApicIpi(B(fields), out uint l, out ulong d), Is.True);
        Assert.That((l, d), Is.EqualTo((low, destination)));
        Assert.That(new Icr(l).Vector, Is.EqualTo((byte)(low & 0xFF)));
    }

    [TestCase("dst 1 vec 251 (Fixed|physical|assert|edge)")]
    [TestCase("dst 1 vec 251 (Fast|physical|assert|edge|dst)")]
    [TestCase("dst 1 vec 300 (Fixed|physical|assert|edge|dst)")]
    [TestCase("vec 251 dst 1")]
    public void KvmApicIpi_NotInTheFormat_IsRefused(string fields) => Assert.That(KvmEventFields.TryApicIpi(B(fields), out _, out _), Is.False);

    [TestCase("vcpu=0, icrh:icrl=0x01000000:000040fb, id=1, index=0", 0x01000000u, 0x40FBu)]
    [TestCase("vcpu=3, icrh:icrl=0000000000:000c40fd, id=0, index=3", 0u, 0xC40FDu)]
    public void KvmAvicIncompleteIpi(string fields, uint high, uint low)
    {
        Assert.That(KvmEventFields.TryIncompleteIpi(B(fields), out uint h, out uint l), Is.True);
        Assert.That((h, l), Is.EqualTo((high, low)));
    }

    [TestCase("reason KVM_EXIT_IO (2)", true)]
    [TestCase("reason restart (4)", true)]
    [TestCase("KVM_EXIT_IO", false)]
    public void KvmUserspaceExit(string fields, bool ok) => Assert.That(KvmEventFields.TryUserspaceExit(B(fields)), Is.EqualTo(ok));

    [TestCase("prev_comm=CPU 1/KVM prev_pid=4122 prev_prio=120 prev_state=S ==> next_comm=swapper/3 next_pid=0 next_prio=120", "CPU 1/KVM", 4122, true, "swapper/3", 0)]
    [TestCase("prev_comm=kworker/u16:2 prev_pid=812 prev_prio=120 prev_state=R+ ==> next_comm=CPU 0/KVM next_pid=4121 next_prio=120", "kworker/u16:2", 812, false, "CPU 0/KVM", 4121)]
    [TestCase("CPU 2/KVM:4123 [120] R ==> kworker/2:1:812 [120]", "CPU 2/KVM", 4123, false, "kworker/2:1", 812)]
    [TestCase("kworker/2:1:812 [120] I ==> swapper/2:0 [120]", "kworker/2:1", 812, true, "swapper/2", 0)]
    [TestCase("trace-cmd:5286 [120] S|D ==> swapper/2:0 [120]", "trace-cmd", 5286, true, "swapper/2", 0)]
    public void SchedSwitch_BothForms(string fields, string prevComm, int prevPid, bool sleeps, string nextComm, int nextPid)
    {
        Assert.That(SchedSwitchFields.TryParse(B(fields), out int pp, out bool s, out var pc, out int np, out var nc), Is.True);
        Assert.That((Encoding.UTF8.GetString(pc), pp, s, Encoding.UTF8.GetString(nc), np), Is.EqualTo((prevComm, prevPid, sleeps, nextComm, nextPid)));
    }

    [TestCase("apicid 1 vec 251 (Fixed|edge)", 1u, 251)]
    [TestCase("apicid a vec 236 (Fixed|edge)", 10u, 236)]
    [TestCase("apicid 0 vec 236 (Fixed|edge) (coalesced)", 0u, 236)]
    public void KvmApicAcceptIrq(string fields, uint apicId, int vector)
    {
        Assert.That(KvmEventFields.TryAcceptIrq(B(fields), out uint a, out int v), Is.True);
        Assert.That((a, v), Is.EqualTo((apicId, vector)));
    }

    [TestCase("apicid 1 vec 256 (Fixed|edge)")]
    [TestCase("vec 236 apicid 1")]
    public void KvmApicAcceptIrq_NotInTheFormat_IsRefused(string fields) => Assert.That(KvmEventFields.TryAcceptIrq(B(fields), out _, out _), Is.False);

    [TestCase("comm=CPU 1/KVM pid=4122 prio=120 target_cpu=003", 4122)]
    [TestCase("comm=kworker/u16:2 pid=812 prio=120 success=1 target_cpu=002", 812)]
    [TestCase("CPU 1/KVM:4122 [120] CPU:001", 4122)]
    [TestCase("kworker/2:1:812 [120] success=1 CPU:002", 812)]
    public void SchedWakeup_BothForms(string fields, int pid)
    {
        Assert.That(SchedWakeupFields.TryParse(B(fields), out int p), Is.True);
        Assert.That(p, Is.EqualTo(pid));
    }

    [TestCase("comm=x prio=120 target_cpu=003")]
    [TestCase("CPU 1/KVM [120] CPU:001")]
    [TestCase("comm=x pid=12a prio=120 target_cpu=003")]
    public void SchedWakeup_NotInTheFormat_IsRefused(string fields) => Assert.That(SchedWakeupFields.TryParse(B(fields), out _), Is.False);
}
