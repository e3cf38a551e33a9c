using System.CommandLine;
using System.CommandLine.Parsing;
using System.Runtime.Intrinsics.X86;
using DigitRecognizer.Engine;
using Spectre.Console;

namespace DigitRecognizer.Cli.Commands;

/// <summary>What <c>--precision</c> asks for: a precision, or the faster one on this CPU.</summary>
internal enum PrecisionChoice
{
    Float32,
    BFloat16,
    /// <summary>bfloat16 where the CPU computes it in hardware, else float32 (<see cref="BFloat16Support.Fastest"/>).</summary>
    Auto,
}

/// <summary>The <c>--precision</c> option, declared once for every verb that computes with a network.</summary>
internal static class PrecisionOption
{
    public static Option<PrecisionChoice> Create(string whatItAffects) => new("--precision")
    {
        Description = $"Arithmetic of {whatItAffects}: float32; bfloat16 (about 1.4× faster training and 1.7× faster " +
                      "prediction on CPUs with AVX512_BF16 or AMX, emulated and several times slower elsewhere; weights stay float32); " +
                      "or auto: bfloat16 where the CPU has those instructions, else float32 (its arithmetic then depends on the CPU).",
        DefaultValueFactory = _ => PrecisionChoice.Float32,
        CustomParser = Parse,
        HelpName = "float32|bfloat16|auto",
    };

    /// <summary>The precision a network computes in for <paramref name="choice"/> on this CPU.</summary>
    public static Precision Resolve(PrecisionChoice choice) => choice switch
    {
        PrecisionChoice.Float32 => Precision.Float32,
        PrecisionChoice.BFloat16 => Precision.BFloat16,
        _ => BFloat16Support.Fastest,
    };

    /// <summary>
    /// Says what bfloat16 will run on when a network is to compute in it: this CPU's bfloat16 instructions, or, on an
    /// x86 CPU without them, that it is emulated and slow (on other CPUs we cannot tell, and say nothing).
    /// </summary>
    public static void Report(IAnsiConsole console, Precision precision)
    {
        if (precision != Precision.BFloat16) return;
        if (BFloat16Support.IsNative)
            console.MarkupLineInterpolated($"Computing in bfloat16, in hardware ({string.Join(", ", BFloat16Support.Instructions)}).");
        else if (X86Base.IsSupported)
            console.MarkupLine("[yellow]note:[/] this CPU has no bfloat16 instructions (AVX512_BF16, AMX), so bfloat16 is emulated " +
                               "and several times slower than float32 here (`digits bench --precision float32 bfloat16` measures both).");
    }

    private static PrecisionChoice Parse(ArgumentResult result)
    {
        var token = result.Tokens[^1].Value;   // the option takes exactly one value; the parser checks that first
        switch (token.ToLowerInvariant())
        {
            case "float32": return PrecisionChoice.Float32;
            case "bfloat16": return PrecisionChoice.BFloat16;
            case "auto": return PrecisionChoice.Auto;
            default:
                result.AddError($"--precision takes float32, bfloat16 or auto, not '{token}'.");
                return PrecisionChoice.Float32;
        }
    }
}
