using System.Runtime.InteropServices;
using System.Runtime.Intrinsics.X86;
using DigitRecognizer.Engine;

namespace DigitRecognizer.Tests.Engine;

[Trait("Category", "Fast")]
public class BFloat16SupportTests
{
    [Fact]
    public void TheInstructionsFound_AreTheOnesLinuxListsForThisCpu()
    {
        // Linux reads the same CPUID bits for its flags, and lists AVX-512 ones only when it saves their registers.
        if (!OperatingSystem.IsLinux() || RuntimeInformation.ProcessArchitecture != Architecture.X64) return;
        var flags = File.ReadLines("/proc/cpuinfo").First(line => line.StartsWith("flags", StringComparison.Ordinal))
            .Split(':')[1].Split(' ', StringSplitOptions.RemoveEmptyEntries).ToHashSet();
        var expected = new List<string>();
        if (Avx512F.IsSupported && flags.Contains("avx512_bf16")) expected.Add("AVX512_BF16");
        if (Avx512F.IsSupported && flags.Contains("amx_bf16")) expected.Add("AMX-BF16");

        Assert.Equal(expected, BFloat16Support.Instructions);
        Assert.Equal(expected.Count > 0 ? Precision.BFloat16 : Precision.Float32, BFloat16Support.Fastest);
    }
}
