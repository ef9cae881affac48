using System.Text;

namespace Emu.Tests.Traces;

/// <summary>
/// A trace-cmd report of any length, made on the fly: a block of 20 lines (two vCPUs: ICR writes, a userspace exit,
/// halts, a kworker) repeated every 100 µs. The block is rendered once; each repetition rewrites its fixed-width
/// timestamps in place, so reading allocates nothing and the reader's allocations can be measured alone.
/// </summary>
internal sealed class SyntheticTraceStream : Stream
{
    public const int LinesPerBlock = 20;
    private const long BlockUs = 100;
    private const long StartSeconds = 10_000;

    private static readonly (int Us, string Text)[] Template =
    {
        (0, "       CPU 0/KVM-4121  [000] {0}: kvm_entry:            vcpu 0, rip 0xffffffff81064a2e"),
        (20, "       CPU 0/KVM-4121  [000] {0}: kvm_exit:             vcpu 0 reason npf rip 0xffffffff81064a2e info1 0x0000000100000006 info2 0x00000000fee00300 intr_info 0x00000000 error_code 0x00000000"),
        (21, "       CPU 0/KVM-4121  [000] {0}: kvm_mmio:             mmio write len 4 gpa 0xfee00300 val 0x40fb"),
        (21, "       CPU 0/KVM-4121  [000] {0}: kvm_apic:             apic_write APIC_ICR = 0x40fb"),
        (21, "       CPU 0/KVM-4121  [000] {0}: kvm_apic_ipi:         dst 1 vec 251 (Fixed|physical|assert|edge|dst)"),
        (22, "       CPU 0/KVM-4121  [000] {0}: kvm_apic_accept_irq:  apicid 1 vec 251 (Fixed|edge)"),
        (22, "       CPU 0/KVM-4121  [000] {0}: sched_wakeup:         CPU 1/KVM:4122 [120] CPU:001"),
        (23, "       CPU 0/KVM-4121  [000] {0}: kvm_entry:            vcpu 0, rip 0xffffffff81064a31"),
        (24, "          <idle>-0     [001] {0}: sched_switch:         swapper/1:0 [120] R ==> CPU 1/KVM:4122 [120]"),
        (25, "       CPU 1/KVM-4122  [001] {0}: kvm_vcpu_wakeup:      wait time 35000 ns, polling valid"),
        (26, "       CPU 1/KVM-4122  [001] {0}: kvm_entry:            vcpu 1, rip 0xffffffff81c3f0e5"),
        (40, "       CPU 0/KVM-4121  [000] {0}: kvm_exit:             vcpu 0 reason io rip 0xffffffff8106a9c2 info1 0x00000000c0500010 info2 0x00000000ffffffff intr_info 0x00000000 error_code 0x00000000"),
        (41, "       CPU 0/KVM-4121  [000] {0}: kvm_pio:              pio_write at 0xc050 size 2 count 1 val 0x0 "),
        (41, "       CPU 0/KVM-4121  [000] {0}: kvm_userspace_exit:   reason KVM_EXIT_IO (2)"),
        (50, "       CPU 1/KVM-4122  [001] {0}: kvm_exit:             vcpu 1 reason hlt rip 0xffffffff81c3f0e6 info1 0x0 info2 0x0 intr_info 0x00000000 error_code 0x00000000"),
        (55, "       CPU 0/KVM-4121  [000] {0}: kvm_entry:            vcpu 0, rip 0xffffffff8106a9c4"),
        (60, "       CPU 1/KVM-4122  [001] {0}: sched_switch:         CPU 1/KVM:4122 [120] S ==> swapper/1:0 [120]"),
        (90, "       CPU 0/KVM-4121  [000] {0}: kvm_exit:             vcpu 0 reason hlt rip 0xffffffff8106a9d0 info1 0x0 info2 0x0 intr_info 0x00000000 error_code 0x00000000"),
        (95, "          <idle>-0     [001] {0}: sched_switch:         swapper/1:0 [120] R ==> kworker/1:0:98 [120]"),
        (98, "     kworker/1:0-98    [001] {0}: sched_switch:         kworker/1:0:98 [120] I ==> swapper/1:0 [120]"),
    };

    private readonly long _lines;
    private readonly byte[] _block;
    private readonly int[] _timeAt;
    private long _block_;
    private int _at;

    public SyntheticTraceStream(long lines)
    {
        _lines = lines;
        var text = new StringBuilder();
        _timeAt = new int[Template.Length];
        for (int i = 0; i < Template.Length; i++)
        {
            string line = string.Format(System.Globalization.CultureInfo.InvariantCulture, Template[i].Text, "00000.000000");
            _timeAt[i] = Encoding.ASCII.GetByteCount(text.ToString()) + line.IndexOf("00000.000000", StringComparison.Ordinal);
            text.Append(line).Append('\n');
        }

        _block = Encoding.ASCII.GetBytes(text.ToString());
        Stamp();
    }

    public long BlocksTotal => (_lines + LinesPerBlock - 1) / LinesPerBlock;

    public override bool CanRead => true;

    public override bool CanSeek => false;

    public override bool CanWrite => false;

    public override long Length => throw new NotSupportedException();

    public override long Position { get => throw new NotSupportedException(); set => throw new NotSupportedException(); }

    public override int Read(byte[] buffer, int offset, int count)
    {
        int written = 0;
        while (written < count && _block_ < BlocksTotal)
        {
            int n = Math.Min(count - written, _block.Length - _at);
            Buffer.BlockCopy(_block, _at, buffer, offset + written, n);
            written += n;
            _at += n;
            if (_at == _block.Length)
            {
                _at = 0;
                _block_++;
                Stamp();
            }
        }

        return written;
    }

    public override void Flush()
    {
    }

    public override long Seek(long offset, SeekOrigin origin) => throw new NotSupportedException();

    public override void SetLength(long value) => throw new NotSupportedException();

    public override void Write(byte[] buffer, int offset, int count) => throw new NotSupportedException();

    /// <summary>Writes this repetition's timestamps (seconds.micros, 12 characters) into the block.</summary>
    private void Stamp()
    {
        for (int i = 0; i < Template.Length; i++)
        {
            long us = (StartSeconds * 1_000_000) + (_block_ * BlockUs) + Template[i].Us;
            long seconds = us / 1_000_000, micros = us % 1_000_000;
            int p = _timeAt[i];
            for (int d = 4; d >= 0; d--, seconds /= 10)
            {
                _block[p + d] = (byte)('0' + (seconds % 10));
            }

            for (int d = 11; d >= 6; d--, micros /= 10)
            {
                _block[p + d] = (byte)('0' + (micros % 10));
            }
        }
    }
}
