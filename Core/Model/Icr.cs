namespace Emu.Core.Model;

/// <summary>Delivery mode, ICR bits 10:8.</summary>
public enum DeliveryMode : byte { Fixed = 0, LowestPriority = 1, Smi = 2, Nmi = 4, Init = 5, StartUp = 6 }

/// <summary>Destination shorthand, ICR bits 19:18.</summary>
public enum DestinationShorthand : byte { None = 0, Self = 1, AllIncludingSelf = 2, AllExcludingSelf = 3 }

/// <summary>
/// The xAPIC interrupt command register (ICR high at 0x310, low at 0x300) as one 64-bit value:
/// vector 7:0, delivery mode 10:8, destination mode 11 (1 = logical), level 14, trigger 15 (1 = level),
/// shorthand 19:18, destination 63:56 (xAPIC; bits 31:24 of ICR high).
/// </summary>
public readonly record struct Icr(ulong Value)
{
    public const ulong VectorMask = 0xFFUL;
    public const int DeliveryModeShift = 8;
    public const ulong DeliveryModeMask = 0x7UL << DeliveryModeShift;
    public const ulong DestinationModeLogical = 1UL << 11;
    public const ulong DeliveryStatusBusy = 1UL << 12;
    public const ulong LevelAssert = 1UL << 14;
    public const ulong TriggerLevel = 1UL << 15;
    public const int ShorthandShift = 18;
    public const ulong ShorthandMask = 0x3UL << ShorthandShift;
    public const int DestinationShift = 56;
    public const ulong DestinationMask = 0xFFUL << DestinationShift;

    /// <summary>xAPIC physical destination 0xFF addresses every APIC.</summary>
    public const byte PhysicalBroadcast = 0xFF;

    public byte Vector => (byte)(Value & VectorMask);
    public DeliveryMode DeliveryMode => (DeliveryMode)((Value & DeliveryModeMask) >> DeliveryModeShift);
    public bool IsLogical => (Value & DestinationModeLogical) != 0;
    public bool IsLevelTriggered => (Value & TriggerLevel) != 0;
    public DestinationShorthand Shorthand => (DestinationShorthand)((Value & ShorthandMask) >> ShorthandShift);
    public byte Destination => (byte)((Value & DestinationMask) >> DestinationShift);

    /// <summary>ICR low (register 0x300).</summary>
    public uint Low => (uint)Value;

    /// <summary>ICR high (register 0x310).</summary>
    public uint High => (uint)(Value >> 32);

    public static Icr Fixed(byte vector, byte destination, bool logical = false) =>
        new(vector | ((ulong)destination << DestinationShift) | (logical ? DestinationModeLogical : 0) | LevelAssert);

    public static Icr WithShorthand(byte vector, DestinationShorthand shorthand) =>
        new(vector | ((ulong)shorthand << ShorthandShift) | LevelAssert);

    public Icr WithDeliveryMode(DeliveryMode mode) =>
        new((Value & ~DeliveryModeMask) | ((ulong)mode << DeliveryModeShift));

    public Icr WithLevelTrigger() => new(Value | TriggerLevel);

    public override string ToString() => $"0x{Value:X16}";
}
