using System.Buffers.Binary;
using System.Diagnostics;
using System.Security.Cryptography;
using System.Text;
using DigitRecognizer.Build;

namespace DigitRecognizer.Tests.Build;

/// <summary>
/// Tests for build/ElfVersionNeeds.cs, the ELF reader/patcher behind build/LibTorchSharpGlibcxx.targets,
/// which marks libLibTorchSharp.so's GLIBCXX_3.4.32 need weak on hosts whose libstdc++ lacks it.
/// </summary>
[Trait("Category", "Build")]
public sealed class ElfVersionNeedsTests : IDisposable
{
    // Keep in step with Directory.Packages.props. A newer TorchSharp may need a different (or no)
    // GLIBCXX version, so a bump should make these tests fail and the workaround be re-checked.
    private const string TorchSharpVersion = "0.107.0";
    private const string Glibcxx = "GLIBCXX_3.4.32";
    private const string LibStdCxx = "libstdc++.so.6";

    private readonly DirectoryInfo temp = Directory.CreateTempSubdirectory("elf-version-needs-");

    public void Dispose() => temp.Delete(recursive: true);

    // ---- The real library --------------------------------------------------------------------

    [Fact]
    public void Read_RealLibrary_NeedsGlibcxx3432FromLibStdCxx_NotWeak()
    {
        var needs = ElfVersionNeeds.Read(CachedLibTorchSharp());

        // `readelf -V` lists 28 Elf64_Vernaux entries under 5 libraries for this build.
        Assert.Equal(28, needs.Count);
        Assert.Contains(needs, n => n.Library == "libc.so.6" && n.Version == "GLIBC_2.2.5");
        var need = Assert.Single(needs, n => n.Version == Glibcxx);
        Assert.Equal(LibStdCxx, need.Library);
        Assert.False(need.IsWeak);
        Assert.Equal(0, need.Flags);
    }

    [Fact]
    public void MarkWeak_CopyOfRealLibrary_SetsOnlyThatFlag_AndLeavesNuGetCacheAlone()
    {
        string cached = CachedLibTorchSharp();
        string cacheHashBefore = Sha256(cached);
        string copy = Path.Combine(temp.FullName, "libLibTorchSharp.so");
        File.Copy(cached, copy);
        byte[] before = File.ReadAllBytes(copy);
        var needsBefore = ElfVersionNeeds.Read(copy);
        long flagsOffset = needsBefore.Single(n => n.Version == Glibcxx).FlagsOffset;

        Assert.True(ElfVersionNeeds.MarkWeak(copy, Glibcxx));

        byte[] after = File.ReadAllBytes(copy);
        Assert.Equal(before.Length, after.Length);
        var changed = Enumerable.Range(0, before.Length).Where(i => before[i] != after[i]).ToList();
        Assert.Equal(new[] { (int)flagsOffset }, changed); // vna_flags is little-endian: 0x0000 -> 0x0002
        Assert.Equal(ElfVersionNeeds.VerFlagWeak, after[flagsOffset]);

        var needsAfter = ElfVersionNeeds.Read(copy);
        Assert.True(needsAfter.Single(n => n.Version == Glibcxx).IsWeak);
        Assert.Equal(
            needsBefore.Where(n => n.Version != Glibcxx),
            needsAfter.Where(n => n.Version != Glibcxx));

        Assert.False(ElfVersionNeeds.MarkWeak(copy, Glibcxx));
        Assert.Equal(after, File.ReadAllBytes(copy));

        // No temporary file left next to the output.
        Assert.Equal(new[] { copy }, Directory.GetFiles(temp.FullName));
        Assert.Equal(cacheHashBefore, Sha256(cached));
    }

    [Fact]
    public void MarkWeak_HardLinkedOutput_DoesNotWriteThroughToTheLinkedFile_AndKeepsModeAndTime()
    {
        if (!OperatingSystem.IsLinux())
        {
            return; // hard links via ln(1) and Unix permission bits: Linux only
        }

        // Stand-in for the NuGet cache copy and a build output that MSBuild hard-linked to it
        // (CreateHardLinksForCopyLocalIfPossible).
        string cacheCopy = Path.Combine(temp.FullName, "cache.so");
        string output = Path.Combine(temp.FullName, "output.so");
        File.Copy(CachedLibTorchSharp(), cacheCopy);
        File.SetUnixFileMode(cacheCopy, UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.UserExecute | UnixFileMode.GroupRead | UnixFileMode.OtherRead);
        var lastWrite = new DateTime(2024, 1, 2, 3, 4, 5, DateTimeKind.Utc);
        File.SetLastWriteTimeUtc(cacheCopy, lastWrite);
        Run("ln", cacheCopy, output);
        string cacheHash = Sha256(cacheCopy);

        Assert.True(ElfVersionNeeds.MarkWeak(output, Glibcxx));

        Assert.Equal(cacheHash, Sha256(cacheCopy));
        Assert.False(ElfVersionNeeds.Read(cacheCopy).Single(n => n.Version == Glibcxx).IsWeak);
        Assert.True(ElfVersionNeeds.Read(output).Single(n => n.Version == Glibcxx).IsWeak);
        Assert.Equal(File.GetUnixFileMode(cacheCopy), File.GetUnixFileMode(output));
        // Same size and time is what keeps MSBuild's SkipUnchangedFiles copy from restoring the original.
        Assert.Equal(lastWrite, File.GetLastWriteTimeUtc(output));
    }

    [Fact]
    public void OutputLibrary_IsAlreadyWeak_WhenTheHostLacksTheVersion()
    {
        if (!OperatingSystem.IsLinux())
        {
            return; // the build step and the loader problem are Linux-only
        }

        string output = Path.Combine(AppContext.BaseDirectory, "runtimes", "linux-x64", "native", "libLibTorchSharp.so");
        Assert.True(File.Exists(output), $"{output} is missing: the test project should get TorchSharp's native files.");
        var need = Assert.Single(ElfVersionNeeds.Read(output), n => n.Version == Glibcxx);

        if (ElfVersionNeeds.HostProvides(Glibcxx))
        {
            // Nothing to prove on a host with GCC 13+'s libstdc++: the build leaves the file alone, but
            // a file patched on this machine before a libstdc++ upgrade stays patched (harmlessly: a weak
            // version that is present binds as usual), so either flag is right here.
            return;
        }
        Assert.True(need.IsWeak,
            $"{output} still needs {Glibcxx} non-weakly although the host's libstdc++ ({ElfVersionNeeds.FindHostLibStdCxx() ?? "none found"}) " +
            "lacks it: build/LibTorchSharpGlibcxx.targets did not run (is it imported by Directory.Build.targets?).");
    }

    // ---- HostProvides ----------------------------------------------------------------------------

    [Fact]
    public void HostProvides_FindsOnlyTheCompleteNulTerminatedVersionName()
    {
        string without = WriteFakeLibStdCxx("without", "\0GLIBCXX_3.4.30\0GLIBCXX_3.4.3\0XGLIBCXX_3.4.32\0GLIBCXX_3.4.321\0");
        string with = WriteFakeLibStdCxx("with", "\0GLIBCXX_3.4.30\0GLIBCXX_3.4.32\0");

        Assert.False(ElfVersionNeeds.HostProvides(Glibcxx, new[] { without }));
        Assert.True(ElfVersionNeeds.HostProvides(Glibcxx, new[] { with }));
        Assert.True(ElfVersionNeeds.HostProvides("GLIBCXX_3.4.3", new[] { without }));
        Assert.False(ElfVersionNeeds.HostProvides("GLIBCXX_3.4.3", new[] { with }));
    }

    [Fact]
    public void HostProvides_UsesTheFirstExistingCandidate_LikeTheLoader()
    {
        string without = WriteFakeLibStdCxx("without", "\0GLIBCXX_3.4.30\0");
        string with = WriteFakeLibStdCxx("with", "\0GLIBCXX_3.4.32\0");
        string missing = Path.Combine(temp.FullName, "missing", LibStdCxx);

        Assert.True(ElfVersionNeeds.HostProvides(Glibcxx, new[] { missing, with, without }));
        Assert.False(ElfVersionNeeds.HostProvides(Glibcxx, new[] { missing, without, with }));
        Assert.False(ElfVersionNeeds.HostProvides(Glibcxx, new[] { missing }));
    }

    [Fact]
    public void DefaultLibStdCxxCandidates_PutLdLibraryPathFirst()
    {
        var candidates = ElfVersionNeeds.DefaultLibStdCxxCandidates();

        Assert.Contains("/usr/lib/x86_64-linux-gnu/libstdc++.so.6", candidates);
        Assert.Contains("/usr/lib/aarch64-linux-gnu/libstdc++.so.6", candidates);
        Assert.Equal("/usr/local/lib/libstdc++.so.6", candidates[^1]);
        string? ldLibraryPath = Environment.GetEnvironmentVariable("LD_LIBRARY_PATH");
        string? first = ldLibraryPath?.Split(':').FirstOrDefault(d => d.Length > 0);
        if (first is not null)
        {
            Assert.Equal(Path.Combine(first, LibStdCxx), candidates[0]);
        }
    }

    // ---- Parsing a tiny hand-made ELF ------------------------------------------------------------

    [Fact]
    public void Read_TinyElf_ReturnsEveryEntryWithItsFlagsOffset()
    {
        var elf = TinyElf.Build();
        string path = Write("tiny.so", elf.Bytes);

        var needs = ElfVersionNeeds.Read(path);

        Assert.Equal(
            new[]
            {
                new ElfVersionNeeds.VersionNeed("libfoo.so.1", "FOO_1", 0, elf.FirstAux + 4),
                new ElfVersionNeeds.VersionNeed("libfoo.so.1", "FOO_2", 2, elf.FirstAux + 20),
                new ElfVersionNeeds.VersionNeed("libbar.so.2", "FOO_1", 0, elf.SecondAux + 4),
            },
            needs);
        Assert.True(needs[1].IsWeak);
    }

    [Fact]
    public void MarkWeak_TinyElf_MarksEveryMatchingEntry_AndReportsNoChangeOtherwise()
    {
        string path = Write("tiny.so", TinyElf.Build().Bytes);

        Assert.False(ElfVersionNeeds.MarkWeak(path, "FOO_2")); // already weak
        Assert.False(ElfVersionNeeds.MarkWeak(path, "FOO_3")); // not needed at all
        Assert.True(ElfVersionNeeds.MarkWeak(path, "FOO_1"));  // needed from two libraries

        Assert.All(ElfVersionNeeds.Read(path), n => Assert.True(n.IsWeak));
        Assert.False(ElfVersionNeeds.MarkWeak(path, "FOO_1"));
    }

    [Fact]
    public void Read_ElfWithoutSectionHeaders_FindsNothing()
    {
        var elf = TinyElf.Build();
        TinyElf.Put64(elf.Bytes, 0x28, 0); // e_shoff = 0
        Assert.Empty(ElfVersionNeeds.Read(Write("stripped.so", elf.Bytes)));
    }

    public static TheoryData<string> Corruptions => new()
    {
        "empty", "text", "truncated header", "truncated sections", "bad magic", "32-bit", "big-endian",
        "section table past end", "section entry size too small", "section offset past end",
        "section size past end", "bad sh_link", "sh_link not a string table", "name outside string table",
        "unterminated name", "vn_aux outside section", "vn_next outside section", "unknown vn_version",
    };

    [Theory]
    [MemberData(nameof(Corruptions))]
    public void Read_MalformedFile_ThrowsInvalidDataException(string corruption)
    {
        string path = Write("bad.so", Corrupt(corruption));

        var ex = Assert.Throws<InvalidDataException>(() => ElfVersionNeeds.Read(path));
        Assert.StartsWith($"Malformed ELF file '{path}': ", ex.Message);
        Assert.Throws<InvalidDataException>(() => ElfVersionNeeds.MarkWeak(path, "FOO_1"));
        Assert.Equal(new[] { path }, Directory.GetFiles(temp.FullName)); // no temporary file left behind
    }

    [Fact]
    public void Read_TruncatedRealLibrary_ThrowsInvalidDataException()
    {
        byte[] real = File.ReadAllBytes(CachedLibTorchSharp());
        // Cut inside the section header table, which the linker puts at the end of the file.
        string path = Write("truncated.so", real[..(real.Length - 100)]);

        Assert.Throws<InvalidDataException>(() => ElfVersionNeeds.Read(path));
    }

    private static byte[] Corrupt(string corruption)
    {
        var elf = TinyElf.Build();
        byte[] b = elf.Bytes;
        switch (corruption)
        {
            case "empty": return [];
            case "text": return Encoding.ASCII.GetBytes(new string('x', 200));
            case "truncated header": return b[..40];
            case "truncated sections": return b[..(elf.SectionHeaders + 100)];
            case "bad magic": b[1] = (byte)'X'; break;
            case "32-bit": b[4] = 1; break;
            case "big-endian": b[5] = 2; break;
            case "section table past end": TinyElf.Put64(b, 0x28, 0x7fff_ffff_ffff_fff0); break;
            case "section entry size too small": TinyElf.Put16(b, 0x3A, 40); break;
            case "section offset past end": TinyElf.Put64(b, elf.VerneedHeader + 0x18, (ulong)b.Length + 1); break;
            case "section size past end": TinyElf.Put64(b, elf.VerneedHeader + 0x20, ulong.MaxValue); break;
            case "bad sh_link": TinyElf.Put32(b, elf.VerneedHeader + 0x28, 99); break;
            case "sh_link not a string table": TinyElf.Put32(b, elf.VerneedHeader + 0x28, 2); break;
            case "name outside string table": TinyElf.Put32(b, elf.FirstAux + 8, 10_000); break;
            case "unterminated name":
                // Point vna_name at the string table's last string and overwrite its terminating NUL.
                TinyElf.Put32(b, elf.FirstAux + 8, (uint)(elf.StringTableSize - 2));
                b[elf.StringTable + elf.StringTableSize - 1] = (byte)'Z';
                break;
            case "vn_aux outside section": TinyElf.Put32(b, elf.Verneed + 8, 10_000); break;
            case "vn_next outside section": TinyElf.Put32(b, elf.Verneed + 12, 10_000); break;
            case "unknown vn_version": TinyElf.Put16(b, elf.Verneed, 2); break;
            default: throw new ArgumentOutOfRangeException(nameof(corruption), corruption, null);
        }
        return b;
    }

    /// <summary>
    /// A minimal ELF64 little-endian file: header, a string table, a SHT_GNU_verneed section needing
    /// FOO_1 and FOO_2 (weak) from libfoo.so.1 and FOO_1 from libbar.so.2, and the section headers.
    /// </summary>
    private sealed record TinyElf(byte[] Bytes, int StringTable, int StringTableSize, int Verneed, int FirstAux, int SecondAux, int SectionHeaders, int VerneedHeader)
    {
        public static TinyElf Build()
        {
            byte[] strings = Encoding.ASCII.GetBytes("\0libfoo.so.1\0libbar.so.2\0FOO_1\0FOO_2\0");
            const uint libfoo = 1, libbar = 13, foo1 = 25, foo2 = 31;
            const int stringTable = 64;
            int verneed = Align(stringTable + strings.Length);
            int verneedSize = 5 * 16; // Verneed(libfoo), 2 x Vernaux, Verneed(libbar), Vernaux
            int sectionHeaders = Align(verneed + verneedSize);
            var b = new byte[sectionHeaders + 3 * 64]; // null section, .dynstr, .gnu.version_r

            b[0] = 0x7f; b[1] = (byte)'E'; b[2] = (byte)'L'; b[3] = (byte)'F';
            b[4] = 2; b[5] = 1; b[6] = 1; // ELFCLASS64, ELFDATA2LSB, EV_CURRENT
            Put16(b, 0x10, 3);    // e_type = ET_DYN
            Put16(b, 0x12, 62);   // e_machine = EM_X86_64
            Put64(b, 0x28, (ulong)sectionHeaders);
            Put16(b, 0x34, 64);   // e_ehsize
            Put16(b, 0x3A, 64);   // e_shentsize
            Put16(b, 0x3C, 3);    // e_shnum
            strings.CopyTo(b, stringTable);

            // libfoo.so.1: FOO_1, FOO_2 (weak); then libbar.so.2: FOO_1.
            int firstAux = verneed + 16, secondNeed = verneed + 48, secondAux = secondNeed + 16;
            PutVerneed(b, verneed, count: 2, libfoo, next: 48);
            PutVernaux(b, firstAux, flags: 0, foo1, next: 16);
            PutVernaux(b, firstAux + 16, flags: 2, foo2, next: 0);
            PutVerneed(b, secondNeed, count: 1, libbar, next: 0);
            PutVernaux(b, secondAux, flags: 0, foo1, next: 0);

            PutSection(b, sectionHeaders + 64, type: 3, (ulong)stringTable, (ulong)strings.Length, link: 0, info: 0);
            int verneedHeader = sectionHeaders + 128;
            PutSection(b, verneedHeader, type: 0x6ffffffe, (ulong)verneed, (ulong)verneedSize, link: 1, info: 2);
            return new TinyElf(b, stringTable, strings.Length, verneed, firstAux, secondAux, sectionHeaders, verneedHeader);
        }

        private static int Align(int offset) => (offset + 7) & ~7;

        private static void PutVerneed(byte[] b, int at, ushort count, uint file, uint next)
        {
            Put16(b, at, 1);
            Put16(b, at + 2, count);
            Put32(b, at + 4, file);
            Put32(b, at + 8, 16); // vn_aux: the Vernaux entries follow directly
            Put32(b, at + 12, next);
        }

        private static void PutVernaux(byte[] b, int at, ushort flags, uint name, uint next)
        {
            Put32(b, at, 0x1234_5678); // vna_hash: not checked
            Put16(b, at + 4, flags);
            Put16(b, at + 6, 2);       // vna_other
            Put32(b, at + 8, name);
            Put32(b, at + 12, next);
        }

        private static void PutSection(byte[] b, int at, uint type, ulong offset, ulong size, uint link, uint info)
        {
            Put32(b, at + 4, type);
            Put64(b, at + 0x18, offset);
            Put64(b, at + 0x20, size);
            Put32(b, at + 0x28, link);
            Put32(b, at + 0x2C, info);
        }

        public static void Put16(byte[] b, int at, ushort value) => BinaryPrimitives.WriteUInt16LittleEndian(b.AsSpan(at), value);

        public static void Put32(byte[] b, int at, uint value) => BinaryPrimitives.WriteUInt32LittleEndian(b.AsSpan(at), value);

        public static void Put64(byte[] b, int at, ulong value) => BinaryPrimitives.WriteUInt64LittleEndian(b.AsSpan(at), value);
    }

    // ---- Helpers ---------------------------------------------------------------------------------

    /// <summary>The pristine libLibTorchSharp.so in the NuGet package cache (read only, never patched).</summary>
    private static string CachedLibTorchSharp()
    {
        string? packages = Environment.GetEnvironmentVariable("NUGET_PACKAGES");
        if (string.IsNullOrEmpty(packages))
        {
            packages = Path.Combine(Environment.GetFolderPath(Environment.SpecialFolder.UserProfile), ".nuget", "packages");
        }
        string path = Path.Combine(packages, "torchsharp", TorchSharpVersion, "runtimes", "linux-x64", "native", "libLibTorchSharp.so");
        Assert.True(File.Exists(path), $"{path} not found: restore the solution first, or update TorchSharpVersion in this file.");
        return path;
    }

    private string Write(string name, byte[] bytes)
    {
        string path = Path.Combine(temp.FullName, name);
        File.WriteAllBytes(path, bytes);
        return path;
    }

    private string WriteFakeLibStdCxx(string folder, string content)
    {
        string directory = Directory.CreateDirectory(Path.Combine(temp.FullName, folder)).FullName;
        string path = Path.Combine(directory, LibStdCxx);
        // Surround the strings with other bytes, as in a real library.
        File.WriteAllBytes(path, [.. Encoding.ASCII.GetBytes("\x7f" + "ELF junk"), .. Encoding.ASCII.GetBytes(content), 0x01, 0x02]);
        return path;
    }

    private static string Sha256(string path)
    {
        using var stream = File.OpenRead(path);
        return Convert.ToHexString(SHA256.HashData(stream));
    }

    private static void Run(string fileName, params string[] arguments)
    {
        var start = new ProcessStartInfo(fileName) { RedirectStandardError = true };
        foreach (string argument in arguments) start.ArgumentList.Add(argument);
        using var process = Process.Start(start)!;
        string error = process.StandardError.ReadToEnd();
        process.WaitForExit();
        Assert.True(process.ExitCode == 0, $"{fileName} {string.Join(' ', arguments)} failed: {error}");
    }
}
