using Emu.Core.Model;

namespace Emu.Host.Traces;

/// <summary>
/// The fields of the KVM events the import uses, as the kernel's TP_printk formats print them
/// (arch/x86/kvm/trace.h) and as trace-cmd's kvm plugin prints kvm_exit. Older kernels' forms are accepted too:
/// kvm_entry without the rip (before 4.x), kvm_exit without the vCPU (before 5.11; the plugin never prints it).
/// </summary>
internal static class KvmEventFields
{
    public const string EntryShape = "'vcpu <n>, rip 0x<rip>'";
    public const string ExitShape = "'vcpu <n> reason <reason> rip 0x<rip> ...' or 'reason <reason> rip 0x<rip> ...'";
    public const string ApicIpiShape = "'dst <hex> vec <n> (<mode>|<physical|logical>|<assert|de-assert>|<edge|level>|<dst|self|all|all-but-self>)'";
    public const string IncompleteIpiShape = "'vcpu=<n>, icrh:icrl=<hex>:<hex>, id=<n>, index=<n>'";
    public const string AcceptIrqShape = "'apicid <hex> vec <n> (<mode>|<edge|level>)'";

    /// <summary>kvm_entry: "vcpu %u, rip 0x%lx" (newer kernels add "inj ...", "[immediate exit]", "[guest]"; older print "vcpu %u").</summary>
    public static bool TryEntry(ReadOnlySpan<byte> fields, out int vcpu)
    {
        vcpu = -1;
        if (!SpanText.TrySkip(ref fields, "vcpu "u8) || !SpanText.TryDecimal(ref fields, out long n) || n > int.MaxValue)
        {
            return false;
        }

        vcpu = (int)n;
        return fields.IsEmpty || fields[0] == (byte)',' || fields[0] == (byte)' ';
    }

    /// <summary>
    /// kvm_exit: "vcpu %u reason %s%s%s rip 0x%lx info1 ..." (5.11 on), "reason %s rip 0x%lx info %llx %llx" (before),
    /// or trace-cmd's plugin, "reason EXIT_HLT rip 0x... info 0 0". <paramref name="vcpu"/> is -1 when not printed;
    /// <paramref name="reason"/> is the name as printed (VMX flags after it included).
    /// </summary>
    public static bool TryExit(ReadOnlySpan<byte> fields, out int vcpu, out ReadOnlySpan<byte> reason)
    {
        vcpu = -1;
        reason = default;
        if (SpanText.TrySkip(ref fields, "vcpu "u8))
        {
            if (!SpanText.TryDecimal(ref fields, out long n) || n > int.MaxValue)
            {
                return false;
            }

            vcpu = (int)n;
            fields = SpanText.TrimStart(fields);
        }

        if (!SpanText.TrySkip(ref fields, "reason "u8))
        {
            return false;
        }

        int rip = fields.IndexOf(" rip "u8);
        reason = SpanText.TrimEnd(rip < 0 ? fields : fields[..rip]);
        return !reason.IsEmpty;
    }

    /// <summary>
    /// kvm_apic_ipi: "dst %x vec %u (%s|%s|%s|%s|%s)", logged by kvm_apic_send_ipi for every ICR write KVM emulates:
    /// the ICR's low half is rebuilt from the vector and the five names, the destination from dst.
    /// <paramref name="destination"/> is the full dst (x2APIC's is 32 bits).
    /// </summary>
    public static bool TryApicIpi(ReadOnlySpan<byte> fields, out uint icrLow, out ulong destination)
    {
        icrLow = 0;
        destination = 0;
        if (!SpanText.TrySkip(ref fields, "dst "u8) || !SpanText.TryHex(ref fields, out destination)
            || !SpanText.TrySkip(ref fields, " vec "u8) || !SpanText.TryDecimal(ref fields, out long vector) || vector > 255
            || !SpanText.TrySkip(ref fields, " ("u8))
        {
            return false;
        }

        int close = fields.IndexOf((byte)')');
        if (close < 0)
        {
            return false;
        }

        var names = fields[..close];
        uint low = (uint)vector;
        for (int part = 0; part < 5; part++)
        {
            int bar = names.IndexOf((byte)'|');
            var name = bar < 0 ? names : names[..bar];
            names = bar < 0 ? ReadOnlySpan<byte>.Empty : names[(bar + 1)..];
            if ((part < 4) != (bar >= 0) || !TryIcrName(part, name, ref low))
            {
                return false;
            }
        }

        icrLow = low;
        return true;
    }

    /// <summary>
    /// kvm_avic_incomplete_ipi: "vcpu=%u, icrh:icrl=%#010x:%08x, id=%u, index=%u", logged when an ICR write under AVIC
    /// exits (AVIC_INCOMPLETE_IPI). icrh prints as 0000000000 when zero (%#x prints no 0x for 0).
    /// </summary>
    public static bool TryIncompleteIpi(ReadOnlySpan<byte> fields, out uint icrHigh, out uint icrLow)
    {
        icrHigh = icrLow = 0;
        int at = fields.IndexOf("icrh:icrl="u8);
        if (!fields.StartsWith("vcpu="u8) || at < 0)
        {
            return false;
        }

        fields = fields[(at + "icrh:icrl=".Length)..];
        if (!SpanText.TryHex(ref fields, out ulong high) || !SpanText.TrySkip(ref fields, ":"u8) || !SpanText.TryHex(ref fields, out ulong low)
            || high > uint.MaxValue || low > uint.MaxValue)
        {
            return false;
        }

        icrHigh = (uint)high;
        icrLow = (uint)low;
        return true;
    }

    /// <summary>
    /// kvm_apic_accept_irq: "apicid %x vec %u (%s|%s)", logged by __apic_accept_irq when KVM puts an interrupt into a
    /// vCPU's APIC (an emulated IPI's target, the LAPIC timer, a device's interrupt); apicid is the target's vcpu_id.
    /// Older kernels add " (coalesced)".
    /// </summary>
    public static bool TryAcceptIrq(ReadOnlySpan<byte> fields, out uint apicId, out int vector)
    {
        apicId = 0;
        vector = -1;
        if (!SpanText.TrySkip(ref fields, "apicid "u8) || !SpanText.TryHex(ref fields, out ulong id) || id > uint.MaxValue
            || !SpanText.TrySkip(ref fields, " vec "u8) || !SpanText.TryDecimal(ref fields, out long vec) || vec > 255
            || !fields.StartsWith(" ("u8))
        {
            return false;
        }

        apicId = (uint)id;
        vector = (int)vec;
        return true;
    }

    /// <summary>kvm_userspace_exit: "reason %s (%d)" — KVM_EXIT_IO, KVM_EXIT_MMIO, ..., "restart" (-EINTR) or "error".</summary>
    public static bool TryUserspaceExit(ReadOnlySpan<byte> fields) => SpanText.TrySkip(ref fields, "reason "u8) && fields.IndexOf((byte)'(') > 0;

    /// <summary>One of kvm_apic_ipi's five names, folded into the ICR's low half.</summary>
    private static bool TryIcrName(int part, ReadOnlySpan<byte> name, ref uint low)
    {
        switch (part)
        {
            case 0:
                int mode = DeliveryModeOf(name);
                low |= (uint)(mode << Icr.DeliveryModeShift);
                return mode >= 0;
            case 1:
                low |= name.SequenceEqual("logical"u8) ? (uint)Icr.DestinationModeLogical : 0;
                return name.SequenceEqual("logical"u8) || name.SequenceEqual("physical"u8);
            case 2:
                low |= name.SequenceEqual("assert"u8) ? (uint)Icr.LevelAssert : 0;
                return name.SequenceEqual("assert"u8) || name.SequenceEqual("de-assert"u8);
            case 3:
                low |= name.SequenceEqual("level"u8) ? (uint)Icr.TriggerLevel : 0;
                return name.SequenceEqual("level"u8) || name.SequenceEqual("edge"u8);
            default:
                int shorthand = name.SequenceEqual("dst"u8) ? 0 : name.SequenceEqual("self"u8) ? 1 : name.SequenceEqual("all"u8) ? 2 : name.SequenceEqual("all-but-self"u8) ? 3 : -1;
                low |= (uint)(shorthand << Icr.ShorthandShift);
                return shorthand >= 0;
        }
    }

    /// <summary>kvm_deliver_mode's names (include/trace/events/kvm.h), by the value of ICR bits 10:8.</summary>
    private static int DeliveryModeOf(ReadOnlySpan<byte> name) =>
        name.SequenceEqual("Fixed"u8) ? 0
        : name.SequenceEqual("LowPrio"u8) ? 1
        : name.SequenceEqual("SMI"u8) ? 2
        : name.SequenceEqual("Res3"u8) ? 3
        : name.SequenceEqual("NMI"u8) ? 4
        : name.SequenceEqual("INIT"u8) ? 5
        : name.SequenceEqual("SIPI"u8) ? 6
        : name.SequenceEqual("ExtINT"u8) ? 7
        : -1;
}
