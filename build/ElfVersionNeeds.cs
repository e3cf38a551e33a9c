// Reads and patches the symbol-version requirements (.gnu.version_r) of an ELF64 little-endian
// shared library. Used by LibTorchSharpGlibcxx.targets to mark TorchSharp's GLIBCXX_3.4.32 need
// weak on hosts whose libstdc++ predates GCC 13 (see that file for the full story).
//
// This one file is compiled in two very different places, which explains its shape:
//  * by MSBuild's RoslynCodeTaskFactory (LibTorchSharpGlibcxx.targets), which compiles against
//    netstandard 2.0 reference assemblies with no preprocessor symbols defined and no project
//    settings: hence the IsExternalInit polyfill at the bottom (positional records need it), the
//    netstandard-only APIs, the explicit usings and `#nullable enable`;
//  * by the test project, a net10.0 project with Nullable and TreatWarningsAsErrors, which
//    defines DIGITS_NO_MSBUILD_TASK to leave out the MSBuild task (no Microsoft.Build references).
// Block-scoped namespaces are deliberate: a file-scoped namespace cannot share a file with the
// polyfill's System.Runtime.CompilerServices namespace.
#nullable enable
#pragma warning disable IDE0161 // "use file-scoped namespace": impossible here, see above.

using System;
using System.Collections.Generic;
using System.IO;
using System.Text;
#if !DIGITS_NO_MSBUILD_TASK
using Microsoft.Build.Framework;
#endif

namespace DigitRecognizer.Build
{
    /// <summary>
    /// Dependency-free reader/patcher for the version-needed entries (Elf64_Verneed/Elf64_Vernaux in
    /// the SHT_GNU_verneed section) of ELF64 little-endian files, located via the section headers.
    /// </summary>
    public static class ElfVersionNeeds
    {
        /// <summary>VER_FLG_WEAK: glibc's loader does not fail when a weak version is missing.</summary>
        public const ushort VerFlagWeak = 0x2;

        private const uint ShtStrtab = 3;
        private const uint ShtGnuVerneed = 0x6ffffffe;
        private const int EhdrSize = 64;   // sizeof(Elf64_Ehdr)
        private const int ShdrSize = 64;   // sizeof(Elf64_Shdr)
        private const int VerneedSize = 16; // sizeof(Elf64_Verneed)
        private const int VernauxSize = 16; // sizeof(Elf64_Vernaux)

        /// <summary>One Elf64_Vernaux entry: <paramref name="Library"/> must provide <paramref name="Version"/>.</summary>
        /// <param name="Library">The needed file (vn_file), e.g. "libstdc++.so.6".</param>
        /// <param name="Version">The version name (vna_name), e.g. "GLIBCXX_3.4.32".</param>
        /// <param name="Flags">vna_flags (VER_FLG_WEAK = 0x2).</param>
        /// <param name="FlagsOffset">Absolute file offset of the 2-byte little-endian vna_flags field.</param>
        public sealed record VersionNeed(string Library, string Version, ushort Flags, long FlagsOffset)
        {
            /// <summary>Whether VER_FLG_WEAK is set.</summary>
            public bool IsWeak => (Flags & VerFlagWeak) != 0;
        }

        /// <summary>Returns every version-needed entry of the ELF file, in file order.</summary>
        /// <exception cref="InvalidDataException">The file is not a well-formed ELF64 little-endian file.</exception>
        public static IReadOnlyList<VersionNeed> Read(string elfPath)
        {
            if (elfPath == null) throw new ArgumentNullException(nameof(elfPath));
            return Parse(File.ReadAllBytes(elfPath), elfPath);
        }

        /// <summary>
        /// Sets VER_FLG_WEAK on every entry needing <paramref name="version"/> (from any library).
        /// Returns true if the file was changed, false if every such entry was already weak or none exists.
        /// </summary>
        /// <remarks>
        /// The file is never written in place: a patched copy is written next to it and renamed over it.
        /// That gives the path a new inode, so if the build copied the library as a hard link to the
        /// NuGet cache, the cache copy is left untouched. The copy keeps the file's permission bits and
        /// last-write time; keeping the time lets MSBuild's incremental copy (same size + same time =
        /// unchanged) leave the patched file alone instead of putting the original back every build.
        /// </remarks>
        /// <exception cref="InvalidDataException">The file is not a well-formed ELF64 little-endian file.</exception>
        public static bool MarkWeak(string elfPath, string version)
        {
            if (elfPath == null) throw new ArgumentNullException(nameof(elfPath));
            if (version == null) throw new ArgumentNullException(nameof(version));

            // Cheap check first so an already patched file is not copied at all.
            if (FindStrong(Read(elfPath), version).Count == 0) return false;

            string fullPath = Path.GetFullPath(elfPath);
            string directory = Path.GetDirectoryName(fullPath) ?? ".";
            string tempPath = Path.Combine(directory, "." + Path.GetFileName(fullPath) + "." + Guid.NewGuid().ToString("N") + ".tmp");
            DateTime lastWriteUtc = File.GetLastWriteTimeUtc(fullPath);
            try
            {
                // File.Copy creates a new file and, on Unix, gives it the source's permission bits.
                File.Copy(fullPath, tempPath, false);

                // Decide the patch from the copy itself, so the bytes we patch are the bytes we parsed
                // even if the original changed after the check above.
                List<VersionNeed> toPatch = FindStrong(Parse(File.ReadAllBytes(tempPath), tempPath), version);
                if (toPatch.Count == 0) return false;

                using (var stream = new FileStream(tempPath, FileMode.Open, FileAccess.Write))
                {
                    foreach (VersionNeed need in toPatch)
                    {
                        int flags = need.Flags | VerFlagWeak;
                        stream.Position = need.FlagsOffset;
                        stream.WriteByte((byte)(flags & 0xff));
                        stream.WriteByte((byte)(flags >> 8));
                    }
                }
                File.SetLastWriteTimeUtc(tempPath, lastWriteUtc);

#if NETCOREAPP3_0_OR_GREATER
                File.Move(tempPath, fullPath, true);
#else
                // The inline task compiles against netstandard 2.0, which has no File.Move overwrite
                // overload. Without a backup file, File.Replace on Unix is the same rename(2) that
                // File.Move(overwrite: true) does: atomic, and it replaces the directory entry.
                File.Replace(tempPath, fullPath, null);
#endif
                return true;
            }
            finally
            {
                // Only left behind when something above failed (or there was nothing to patch).
                TryDelete(tempPath);
            }
        }

        /// <summary>
        /// Whether the host's libstdc++.so.6 (the first one found in <see cref="DefaultLibStdCxxCandidates"/>)
        /// defines <paramref name="version"/>. False when no libstdc++.so.6 is found.
        /// </summary>
        public static bool HostProvides(string version)
        {
            return HostProvides(version, DefaultLibStdCxxCandidates());
        }

        /// <summary>
        /// Whether the first existing file of <paramref name="libStdCxxPaths"/> (the one the loader
        /// would pick) defines <paramref name="version"/>. False when none of them exists.
        /// </summary>
        /// <remarks>
        /// "Defines" is approximated by finding the version name as a complete NUL-terminated string
        /// (a NUL byte on both sides), the way it sits in libstdc++'s .dynstr, instead of parsing
        /// .gnu.version_d. The only way to be wrong is a linker that tail-merged the name into a longer
        /// string, which makes this return false; the caller then marks the need weak, which is harmless
        /// (a weak version that is present still binds normally).
        /// </remarks>
        public static bool HostProvides(string version, IEnumerable<string> libStdCxxPaths)
        {
            if (version == null) throw new ArgumentNullException(nameof(version));
            string? library = FirstExisting(libStdCxxPaths);
            return library != null && ContainsNulTerminated(File.ReadAllBytes(library), version);
        }

        /// <summary>The host's libstdc++.so.6 that <see cref="HostProvides(string)"/> inspects, or null if none is found.</summary>
        public static string? FindHostLibStdCxx()
        {
            return FirstExisting(DefaultLibStdCxxCandidates());
        }

        /// <summary>
        /// Candidate paths of the host's libstdc++.so.6, in the loader's order of preference: the
        /// LD_LIBRARY_PATH directories, then the usual system library directories.
        /// </summary>
        public static IReadOnlyList<string> DefaultLibStdCxxCandidates()
        {
            var directories = new List<string>();
            string? ldLibraryPath = Environment.GetEnvironmentVariable("LD_LIBRARY_PATH");
            if (!string.IsNullOrEmpty(ldLibraryPath))
            {
                foreach (string directory in ldLibraryPath!.Split(':'))
                {
                    if (directory.Length > 0) directories.Add(directory);
                }
            }
            // Only one architecture's multiarch directories exist on a given host, so their relative
            // order does not matter; they go before the generic ones as Debian's ld.so.conf has them.
            directories.AddRange(new[]
            {
                "/lib/x86_64-linux-gnu", "/usr/lib/x86_64-linux-gnu",
                "/lib/aarch64-linux-gnu", "/usr/lib/aarch64-linux-gnu",
                "/lib64", "/usr/lib64", "/lib", "/usr/lib", "/usr/local/lib",
            });

            var candidates = new List<string>(directories.Count);
            foreach (string directory in directories) candidates.Add(Path.Combine(directory, "libstdc++.so.6"));
            return candidates;
        }

        private static List<VersionNeed> FindStrong(IEnumerable<VersionNeed> needs, string version)
        {
            var result = new List<VersionNeed>();
            foreach (VersionNeed need in needs)
            {
                if (!need.IsWeak && string.Equals(need.Version, version, StringComparison.Ordinal)) result.Add(need);
            }
            return result;
        }

        private static string? FirstExisting(IEnumerable<string> paths)
        {
            if (paths == null) throw new ArgumentNullException(nameof(paths));
            foreach (string path in paths)
            {
                if (File.Exists(path)) return path;
            }
            return null;
        }

        private static bool ContainsNulTerminated(byte[] haystack, string value)
        {
            byte[] needle = Encoding.ASCII.GetBytes("\0" + value + "\0");
            int last = haystack.Length - needle.Length;
            for (int i = 0; i <= last; i++)
            {
                if (haystack[i] != 0 || haystack[i + 1] != needle[1]) continue;
                int j = 2;
                while (j < needle.Length && haystack[i + j] == needle[j]) j++;
                if (j == needle.Length) return true;
            }
            return false;
        }

        private static void TryDelete(string path)
        {
            try
            {
                if (File.Exists(path)) File.Delete(path);
            }
            catch (IOException)
            {
                // Best effort: a stray hidden .tmp file must not hide the original exception.
            }
            catch (UnauthorizedAccessException)
            {
            }
        }

        // ---- ELF parsing -------------------------------------------------------------------------

        private static List<VersionNeed> Parse(byte[] data, string fileName)
        {
            var reader = new Reader(data, fileName);
            if (data.Length < 4 || data[0] != 0x7f || data[1] != (byte)'E' || data[2] != (byte)'L' || data[3] != (byte)'F')
                throw reader.Error("not an ELF file (no \\x7fELF magic)");
            reader.Require(0, EhdrSize, "ELF header");
            if (data[4] != 2) throw reader.Error("not a 64-bit ELF file (EI_CLASS = " + data[4] + ", expected 2)");
            if (data[5] != 1) throw reader.Error("not a little-endian ELF file (EI_DATA = " + data[5] + ", expected 1)");

            var result = new List<VersionNeed>();
            ulong sectionTableOffset = reader.U64(0x28); // e_shoff
            ushort sectionEntrySize = reader.U16(0x3A);   // e_shentsize
            ushort sectionCount16 = reader.U16(0x3C);     // e_shnum
            if (sectionTableOffset == 0) return result;   // no section headers: nothing to find
            if (sectionEntrySize < ShdrSize) throw reader.Error("e_shentsize " + sectionEntrySize + " is smaller than an Elf64_Shdr");

            long tableStart = reader.Offset(sectionTableOffset, ShdrSize, "section header table");
            // Extended numbering: with 0xff00 or more sections, e_shnum is 0 and the count is section 0's sh_size.
            ulong sectionCount = sectionCount16 != 0 ? sectionCount16 : reader.U64(tableStart + 0x20);
            if (sectionCount > (ulong)(data.Length - tableStart) / sectionEntrySize)
                throw reader.Error("section header table (" + sectionCount + " entries at 0x" + tableStart.ToString("x") + ") runs past the end of the file");

            for (long index = 0; index < (long)sectionCount; index++)
            {
                long header = tableStart + index * sectionEntrySize;
                if (reader.U32(header + 4) != ShtGnuVerneed) continue; // sh_type
                ReadVerneedSection(reader, header, tableStart, sectionEntrySize, (long)sectionCount, result);
            }
            return result;
        }

        private static void ReadVerneedSection(Reader reader, long header, long tableStart, int entrySize, long sectionCount, List<VersionNeed> result)
        {
            long start = reader.Offset(reader.U64(header + 0x18), 0, "SHT_GNU_verneed section"); // sh_offset
            long size = reader.Length(start, reader.U64(header + 0x20), "SHT_GNU_verneed section"); // sh_size
            uint link = reader.U32(header + 0x28); // sh_link: the string table holding the names
            uint count = reader.U32(header + 0x2C); // sh_info: number of Elf64_Verneed entries

            if (link == 0 || link >= sectionCount) throw reader.Error("SHT_GNU_verneed sh_link " + link + " is not a valid section index");
            long stringHeader = tableStart + link * (long)entrySize;
            if (reader.U32(stringHeader + 4) != ShtStrtab) throw reader.Error("SHT_GNU_verneed sh_link " + link + " is not a string table");
            long stringsStart = reader.Offset(reader.U64(stringHeader + 0x18), 0, "version string table");
            long stringsSize = reader.Length(stringsStart, reader.U64(stringHeader + 0x20), "version string table");

            // Each entry occupies 16 bytes of the section, so a well-formed section cannot yield more
            // than size / 16 of them; more means the next-pointers loop.
            long budget = size / VerneedSize;

            long need = 0; // offset of the current Elf64_Verneed, relative to the section
            for (uint i = 0; i < count; i++)
            {
                if (--budget < 0) throw reader.Error("SHT_GNU_verneed entries loop or overrun the section");
                if (need < 0 || need > size - VerneedSize) throw reader.Error("Elf64_Verneed at section offset 0x" + need.ToString("x") + " lies outside the section");
                long at = start + need;
                ushort structVersion = reader.U16(at); // vn_version
                if (structVersion != 1) throw reader.Error("unsupported vn_version " + structVersion + " (expected 1)");
                ushort auxCount = reader.U16(at + 2);  // vn_cnt
                string library = reader.String(stringsStart, stringsSize, reader.U32(at + 4)); // vn_file
                uint auxOffset = reader.U32(at + 8);   // vn_aux, relative to this Elf64_Verneed
                uint next = reader.U32(at + 12);       // vn_next, relative to this Elf64_Verneed

                long aux = need + auxOffset;
                for (int j = 0; j < auxCount; j++)
                {
                    if (--budget < 0) throw reader.Error("SHT_GNU_verneed entries loop or overrun the section");
                    if (aux > size - VernauxSize) throw reader.Error("Elf64_Vernaux at section offset 0x" + aux.ToString("x") + " lies outside the section");
                    long auxAt = start + aux;
                    ushort flags = reader.U16(auxAt + 4); // vna_flags (vna_hash precedes it)
                    string version = reader.String(stringsStart, stringsSize, reader.U32(auxAt + 8)); // vna_name
                    result.Add(new VersionNeed(library, version, flags, auxAt + 4));
                    uint auxNext = reader.U32(auxAt + 12); // vna_next
                    if (auxNext == 0) break; // glibc's loader stops here too, whatever vn_cnt says
                    aux += auxNext;
                }
                if (next == 0) break;
                need += next;
            }
        }

        /// <summary>Bounds-checked little-endian reads; every failure is an InvalidDataException naming the file.</summary>
        private sealed class Reader
        {
            private readonly byte[] data;
            private readonly string fileName;

            public Reader(byte[] data, string fileName)
            {
                this.data = data;
                this.fileName = fileName;
            }

            public InvalidDataException Error(string message)
            {
                return new InvalidDataException("Malformed ELF file '" + fileName + "': " + message + ".");
            }

            public void Require(long offset, long count, string what)
            {
                if (offset < 0 || count < 0 || offset > data.Length - count)
                    throw Error(what + " (" + count + " bytes at 0x" + offset.ToString("x") + ") lies outside the file (" + data.Length + " bytes)");
            }

            /// <summary>Validates that <paramref name="count"/> bytes at the 64-bit file offset exist and returns the offset.</summary>
            public long Offset(ulong offset, long count, string what)
            {
                if (offset > (ulong)data.Length) throw Error(what + " offset 0x" + offset.ToString("x") + " lies outside the file (" + data.Length + " bytes)");
                Require((long)offset, count, what);
                return (long)offset;
            }

            /// <summary>Validates that a region of 64-bit <paramref name="size"/> fits at <paramref name="start"/> and returns the size.</summary>
            public long Length(long start, ulong size, string what)
            {
                if (size > (ulong)(data.Length - start)) throw Error(what + " (0x" + size.ToString("x") + " bytes at 0x" + start.ToString("x") + ") runs past the end of the file");
                return (long)size;
            }

            public ushort U16(long offset)
            {
                Require(offset, 2, "2-byte field");
                return (ushort)(data[offset] | data[offset + 1] << 8);
            }

            public uint U32(long offset)
            {
                Require(offset, 4, "4-byte field");
                return data[offset] | (uint)data[offset + 1] << 8 | (uint)data[offset + 2] << 16 | (uint)data[offset + 3] << 24;
            }

            public ulong U64(long offset)
            {
                Require(offset, 8, "8-byte field");
                return U32(offset) | (ulong)U32(offset + 4) << 32;
            }

            /// <summary>The NUL-terminated string at <paramref name="index"/> in the string table [start, start + size).</summary>
            public string String(long start, long size, uint index)
            {
                if (index >= size) throw Error("string index " + index + " lies outside the string table (" + size + " bytes)");
                long end = start + size;
                long position = start + index;
                long terminator = position;
                while (terminator < end && data[terminator] != 0) terminator++;
                if (terminator == end) throw Error("string at index " + index + " is not NUL-terminated inside its string table");
                return Encoding.UTF8.GetString(data, (int)position, (int)(terminator - position));
            }
        }
    }

#if !DIGITS_NO_MSBUILD_TASK
    /// <summary>
    /// MSBuild task (compiled inline by LibTorchSharpGlibcxx.targets): marks <see cref="Version"/> weak in
    /// each of <see cref="Files"/> that needs it, but only when the host's libstdc++ lacks it.
    /// </summary>
    public sealed class MarkGlibcxxVersionWeak : Microsoft.Build.Utilities.Task // qualified: ImplicitUsings would make plain Task ambiguous
    {
        /// <summary>ELF libraries to check (and patch in place, via a renamed copy).</summary>
        [Required]
        public ITaskItem[] Files { get; set; } = Array.Empty<ITaskItem>();

        /// <summary>The version to mark weak, e.g. GLIBCXX_3.4.32.</summary>
        [Required]
        public string Version { get; set; } = "";

        /// <summary>The files this run changed.</summary>
        [Output]
        public ITaskItem[] Patched { get; private set; } = Array.Empty<ITaskItem>();

        /// <inheritdoc />
        public override bool Execute()
        {
            var patched = new List<ITaskItem>();
            bool? hostProvides = null; // only read libstdc++ once, and only if some file needs it

            foreach (ITaskItem item in Files)
            {
                string path = item.GetMetadata("FullPath");
                try
                {
                    bool needsStrong = false;
                    foreach (ElfVersionNeeds.VersionNeed need in ElfVersionNeeds.Read(path))
                    {
                        if (!need.IsWeak && need.Version == Version) needsStrong = true;
                    }
                    if (!needsStrong)
                    {
                        Log.LogMessage(MessageImportance.Low, "{0}: no non-weak need for {1}; nothing to do.", path, Version);
                        continue;
                    }

                    if (hostProvides == null) hostProvides = ElfVersionNeeds.HostProvides(Version);
                    if (hostProvides.Value)
                    {
                        Log.LogMessage(MessageImportance.Low, "{0}: host libstdc++ ({1}) provides {2}; left unchanged.", path, ElfVersionNeeds.FindHostLibStdCxx(), Version);
                        continue;
                    }

                    if (ElfVersionNeeds.MarkWeak(path, Version))
                    {
                        Log.LogMessage(MessageImportance.High, "marked {0} weak in {1}: host libstdc++ lacks it", Version, path);
                        patched.Add(item);
                    }
                }
                catch (InvalidDataException ex)
                {
                    // Not ours to fail the build over: the library would fail to load exactly as before.
                    Log.LogWarning(null, "DIGITSELF001", null, path, 0, 0, 0, 0, "Not checked for {0}: {1}", Version, ex.Message);
                }
                catch (Exception ex) when (ex is IOException || ex is UnauthorizedAccessException)
                {
                    Log.LogError(null, "DIGITSELF002", null, path, 0, 0, 0, 0, "Could not mark {0} weak: {1}", Version, ex.Message);
                }
            }

            Patched = patched.ToArray();
            return !Log.HasLoggedErrors;
        }
    }
#endif
}

#if !NET5_0_OR_GREATER
namespace System.Runtime.CompilerServices
{
    // Positional records use init-only setters, which need this marker type; netstandard 2.0 (what the
    // inline task compiles against) lacks it. net5.0+ has it, so the test project skips this.
    internal static class IsExternalInit
    {
    }
}
#endif
