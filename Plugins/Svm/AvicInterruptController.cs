using Emu.Core.Contracts;
using Emu.Core.Model;

namespace Emu.Plugins.Svm;

/// <summary>
/// AVIC as Core's interrupt virtualization: the hardware's ICR write path, KVM's incomplete-IPI handler and
/// KVM's own interrupt delivery, over one run's <see cref="AvicContext"/>.
/// </summary>
internal sealed class AvicInterruptController : IInterruptVirtualization, IVcpuStateDescriber
{
    private readonly AvicContext _ctx;
    private readonly Doorbell _doorbell;
    private readonly KvmInterruptDelivery _delivery;
    private readonly IcrWrite _icrWrite;
    private readonly IncompleteIpiHandler _handler;

    public AvicInterruptController(AvicContext ctx, Doorbell doorbell)
    {
        _ctx = ctx;
        _doorbell = doorbell;
        _delivery = new KvmInterruptDelivery(ctx, _doorbell);
        _icrWrite = new IcrWrite(ctx, _doorbell);
        _handler = new IncompleteIpiHandler(ctx, _delivery, ctx.Kvm.Profile);
    }

    internal AvicContext Context => _ctx;

    public string Name => _ctx.Options.EnableIpiv
        ? (_ctx.Options.AvicDoorbellStrict ? "avic-strict" : "avic-non-strict")
        : "avic-no-ipiv";

    public void Initialize(IVirtualizationContext context)
    {
        _ctx.Initialize(context);
        _doorbell.Initialize(context.Events);
        _ctx.Iommu?.Initialize(context);
        new AvicInvariants(_ctx).Register(context.Monitor);
    }

    public IcrWriteOutcome WriteIcr(int sender, Icr icr) => _icrWrite.Write(sender, icr);

    public long HandleExit(int sender, in IcrWriteOutcome exit) => _handler.Handle(sender, in exit);

    public bool DeliverInterrupt(int target, byte vector) => _delivery.DeliverInterrupt(target, vector);

    public string Describe(int vcpu) => _ctx.Describe(vcpu);
}
