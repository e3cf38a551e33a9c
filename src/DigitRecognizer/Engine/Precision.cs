using static TorchSharp.torch;

namespace DigitRecognizer.Engine;

/// <summary>The floating-point type a network computes in.</summary>
public enum Precision
{
    /// <summary>32-bit floats: libtorch's default and the reference every figure is checked against.</summary>
    Float32,

    /// <summary>
    /// bfloat16 (float32's range, 8 bits of mantissa) for weights and activations while computing; the
    /// matrix kernels still accumulate in float32. On CPUs with AVX512_BF16 or AMX, libtorch's convolutions
    /// and matrix products run about twice as fast; elsewhere they are emulated and slower. Training keeps
    /// float32 master weights for the optimizer, so small updates are not rounded away.
    /// </summary>
    BFloat16,
}

/// <summary>Maps <see cref="Precision"/> to libtorch's element types.</summary>
public static class PrecisionTypes
{
    /// <summary>The libtorch element type of <paramref name="precision"/>.</summary>
    public static ScalarType ToScalarType(this Precision precision) => precision switch
    {
        Precision.Float32 => ScalarType.Float32,
        Precision.BFloat16 => ScalarType.BFloat16,
        _ => throw new ArgumentOutOfRangeException(nameof(precision), precision, "Unknown precision."),
    };
}
