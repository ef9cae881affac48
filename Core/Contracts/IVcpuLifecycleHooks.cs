namespace Emu.Core.Contracts;

/// <summary>
/// KVM's per-vCPU hooks, called by Core in KVM's order: <see cref="Load"/> when the vCPU's thread takes a pCPU
/// inside KVM_RUN (sched-in, KVM_RUN entry), <see cref="Put"/> when it leaves it (sched-out, userspace exit),
/// <see cref="Blocking"/> before a halted vCPU blocks (after halt-polling, before the final IRR check),
/// <see cref="Unblocking"/> on wake-up. Every registered implementation is called, in registration order.
/// </summary>
public interface IVcpuLifecycleHooks
{
    void Load(int vcpu, int pcpu);

    void Put(int vcpu);

    void Blocking(int vcpu);

    void Unblocking(int vcpu);
}
