using Emu.Core.Model;

namespace Emu.Host.Output.KvmTrace;

/// <summary>
/// The kernel tracepoints Emu's runs are written as, each with its TP_printk format as the kernel declares it and as
/// trace-cmd report prints it (libtraceevent evaluates the format with the C library's printf). Sources:
/// arch/x86/kvm/trace.h (kvm_entry, kvm_exit, kvm_apic_ipi, kvm_apic_accept_irq, kvm_avic_incomplete_ipi,
/// kvm_avic_ga_log), include/trace/events/kvm.h (kvm_userspace_exit, kvm_vcpu_wakeup, kvm_deliver_mode) and
/// include/trace/events/sched.h (sched_switch, sched_wakeup), Linux 6.x.
/// </summary>
internal static class Tracepoints
{
    /// <summary>kvm_deliver_mode (include/trace/events/kvm.h), by ICR bits 10:8.</summary>
    private static readonly string[] DeliveryModes = { "Fixed", "LowPrio", "SMI", "Res3", "NMI", "INIT", "SIPI", "ExtINT" };

    /// <summary>kvm_apic_dst_shorthand (arch/x86/kvm/trace.h), by ICR bits 19:18.</summary>
    private static readonly string[] Shorthands = { "dst", "self", "all", "all-but-self" };

    /// <summary>kvm_entry: <c>"vcpu %u, rip 0x%lx"</c>. Emu does not model the guest's RIP: 0.</summary>
    public static void KvmEntry(TraceCmdLine line, int vcpuId) => line.Text("vcpu ").Int(vcpuId).Text(", rip 0x0");

    /// <summary>
    /// kvm_exit (TRACE_EVENT_KVM_EXIT): <c>"vcpu %u reason %s%s%s rip 0x%lx info1 0x%016llx info2 0x%016llx intr_info
    /// 0x%08x error_code 0x%08x"</c>; on SVM the reason is SVM_EXIT_REASONS' name and the two other %s are empty.
    /// EXITINFO1/2 are what svm_get_exit_info reads; Emu has them for AVIC_INCOMPLETE_IPI only (others, and rip,
    /// intr_info, error_code: 0).
    /// </summary>
    public static void KvmExit(TraceCmdLine line, int vcpuId, ExitReason reason, ulong info1, ulong info2) =>
        line.Text("vcpu ").Int(vcpuId).Text(" reason ").Text(SvmExitNames.Name(reason)).Text(" rip 0x0 info1 0x").Hex(info1, 16)
            .Text(" info2 0x").Hex(info2, 16).Text(" intr_info 0x00000000 error_code 0x00000000");

    /// <summary>
    /// kvm_avic_incomplete_ipi (avic_incomplete_ipi_interception): <c>"vcpu=%u, icrh:icrl=%#010x:%08x, id=%u,
    /// index=%u"</c>; id is the failure cause (EXITINFO2 63:32), index the table index (EXITINFO2 8:0).
    /// </summary>
    public static void KvmAvicIncompleteIpi(TraceCmdLine line, int vcpuId, ulong icr, ulong exitInfo2) =>
        line.Text("vcpu=").Int(vcpuId).Text(", icrh:icrl=").AlternateHex10((uint)(icr >> 32)).Char(':').Hex((uint)icr, 8)
            .Text(", id=").Int((long)(exitInfo2 >> 32)).Text(", index=").Int((long)(exitInfo2 & 0x1FF));

    /// <summary>
    /// kvm_apic_ipi (kvm_apic_send_ipi): <c>"dst %x vec %u (%s|%s|%s|%s|%s)"</c>: the destination (xAPIC: ICR 63:56),
    /// vector, delivery mode, logical/physical, assert/de-assert, level/edge, shorthand.
    /// </summary>
    public static void KvmApicIpi(TraceCmdLine line, ulong icr)
    {
        uint low = (uint)icr;
        line.Text("dst ").Hex(icr >> Icr.DestinationShift).Text(" vec ").Int((byte)low).Text(" (")
            .Text(DeliveryModes[(low >> 8) & 0x7]).Char('|')
            .Text((low & (1 << 11)) != 0 ? "logical" : "physical").Char('|')
            .Text((low & (1 << 14)) != 0 ? "assert" : "de-assert").Char('|')
            .Text((low & (1 << 15)) != 0 ? "level" : "edge").Char('|')
            .Text(Shorthands[(low >> 18) & 0x3]).Char(')');
    }

    /// <summary>
    /// kvm_apic_accept_irq (__apic_accept_irq): <c>"apicid %x vec %u (%s|%s)"</c>; apicid is the target's vcpu_id, then
    /// the delivery mode and the trigger (level/edge).
    /// </summary>
    public static void KvmApicAcceptIrq(TraceCmdLine line, int vcpuId, uint icrLow) =>
        line.Text("apicid ").Hex((uint)vcpuId).Text(" vec ").Int((byte)icrLow).Text(" (").Text(DeliveryModes[(icrLow >> 8) & 0x7]).Char('|')
            .Text((icrLow & (1 << 15)) != 0 ? "level" : "edge").Char(')');

    /// <summary>kvm_avic_ga_log (avic_ga_log_notifier): <c>"vmid=%u, vcpuid=%u"</c>.</summary>
    public static void KvmAvicGaLog(TraceCmdLine line, int vmId, int vcpuId) => line.Text("vmid=").Int(vmId).Text(", vcpuid=").Int(vcpuId);

    /// <summary>
    /// kvm_userspace_exit (kvm_vcpu_ioctl, KVM_RUN returns): <c>"reason %s (%d)"</c>, the kvm_run exit reason's
    /// KVM_EXIT_ name and number (errno 0: a negative one would print "restart" or "error").
    /// </summary>
    public static void KvmUserspaceExit(TraceCmdLine line, string reasonName, int reason) =>
        line.Text("reason ").Text(reasonName).Text(" (").Int(reason).Char(')');

    /// <summary>
    /// kvm_vcpu_wakeup (the end of kvm_vcpu_halt): <c>"%s time %lld ns, polling %s"</c>: "wait" if the vCPU blocked,
    /// "poll" otherwise; "valid" always on x86 (vcpu_valid_wakeup is s390's).
    /// </summary>
    public static void KvmVcpuWakeup(TraceCmdLine line, bool waited, long ns) =>
        line.Text(waited ? "wait" : "poll").Text(" time ").Int(ns).Text(" ns, polling valid");

    /// <summary>
    /// sched_switch: <c>"prev_comm=%s prev_pid=%d prev_prio=%d prev_state=%s%s ==> next_comm=%s next_pid=%d next_prio=%d"</c>;
    /// prev_state is "S" for a task that sleeps, "R" for one still runnable, and "R+" for one preempted (TASK_REPORT_MAX).
    /// </summary>
    public static void SchedSwitch(TraceCmdLine line, string prevComm, int prevPid, int prevPrio, string prevState, string nextComm, int nextPid, int nextPrio) =>
        line.Text("prev_comm=").Text(prevComm).Text(" prev_pid=").Int(prevPid).Text(" prev_prio=").Int(prevPrio).Text(" prev_state=").Text(prevState)
            .Text(" ==> next_comm=").Text(nextComm).Text(" next_pid=").Int(nextPid).Text(" next_prio=").Int(nextPrio);

    /// <summary>sched_wakeup (sched_wakeup_template): <c>"comm=%s pid=%d prio=%d target_cpu=%03d"</c>.</summary>
    public static void SchedWakeup(TraceCmdLine line, string comm, int pid, int prio, int targetCpu) =>
        line.Text("comm=").Text(comm).Text(" pid=").Int(pid).Text(" prio=").Int(prio).Text(" target_cpu=").Int(targetCpu, 3);
}
