using System.Runtime.InteropServices;
using DigitRecognizer.Engine;

namespace DigitRecognizer.Tests.Engine;

[Trait("Category", "Fast")]
public class BFloat16SupportTests
{
    [SkippableFact]
    public void TheInstructionsFound_AreTheOnesLinuxListsForThisCpu()
    {
        // Linux reads the same CPUID bits for its flags (and leaves out what it does not enable).
        Skip.IfNot(OperatingSystem.IsLinux() && RuntimeInformation.ProcessArchitecture == Architecture.X64, "compares with Linux's /proc/cpuinfo on x64");
        var flags = File.ReadLines("/proc/cpuinfo").First(line => line.StartsWith("flags", StringComparison.Ordinal))
            .Split(':')[1].Split(' ', StringSplitOptions.RemoveEmptyEntries).ToHashSet();
        var expected = new List<string>();
        if (flags.Contains("avx512_bf16")) expected.Add("AVX512_BF16");
        if (flags.Contains("amx_bf16")) expected.Add("AMX-BF16");

        Assert.Equal(expected, BFloat16Support.Instructions);
        Assert.Equal(expected.Count > 0 ? Precision.BFloat16 : Precision.Float32, BFloat16Support.Fastest);
    }
}
