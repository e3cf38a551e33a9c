using System.Runtime.Intrinsics.X86;

namespace DigitRecognizer.Engine;

/// <summary>
/// Whether this CPU computes bfloat16 in hardware. libtorch's bfloat16 kernels (oneDNN) use AVX512_BF16 or AMX-BF16
/// where the CPU has them, and there bfloat16 trains `cnn-bn` about 1.65× as fast as float32; elsewhere they are
/// emulated with float32 instructions and run several times slower (the README's Speed section has both). Read from
/// the CPU itself (CPUID), on x86 only: elsewhere it finds none. AVX-512 turned off for .NET (DOTNET_EnableAVX512F=0)
/// hides them too, though libtorch would still use them.
/// </summary>
public static class BFloat16Support
{
    /// <summary>The bfloat16 instruction sets this CPU has ("AVX512_BF16", "AMX-BF16"); empty when none, or not an x86 CPU.</summary>
    public static IReadOnlyList<string> Instructions { get; } = Detect();

    /// <summary>Whether bfloat16 runs in hardware here (<see cref="Instructions"/> is not empty).</summary>
    public static bool IsNative => Instructions.Count > 0;

    /// <summary>
    /// The faster precision on this CPU: bfloat16 where it runs in hardware, else float32. Its results differ from
    /// float32's (bfloat16 rounds activations to 8 bits of mantissa), so a run that chooses by the CPU computes
    /// differently on another machine; float32 stays the default for that reason.
    /// </summary>
    public static Precision Fastest => IsNative ? Precision.BFloat16 : Precision.Float32;

    private static string[] Detect()
    {
        // The instructions also need the operating system to save the 512-bit registers: Avx512F.IsSupported says so.
        if (!X86Base.IsSupported || !Avx512F.IsSupported) return [];
        var (highestLeaf, _, _, _) = X86Base.CpuId(0, 0);
        if (highestLeaf < 7) return [];
        var (subLeaves, _, _, features) = X86Base.CpuId(7, 0);
        var found = new List<string>();
        if (subLeaves >= 1 && (X86Base.CpuId(7, 1).Eax & (1 << 5)) != 0) found.Add("AVX512_BF16");   // leaf 7.1, EAX bit 5
        if ((features & (1 << 22)) != 0) found.Add("AMX-BF16");                                       // leaf 7.0, EDX bit 22
        return [.. found];
    }
}
