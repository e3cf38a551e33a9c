using System.Runtime.InteropServices;
using TorchSharp;

namespace DigitRecognizer.Engine;

/// <summary>
/// The one place that touches TorchSharp's process-wide settings: loading the native engine,
/// threads and the global random seed.
/// </summary>
public static class TorchRuntime
{
    private static readonly Lock Gate = new();
    private static bool loaded;

    /// <summary>
    /// Loads libtorch (once) and turns a failure into a message a person can act on.
    /// </summary>
    /// <exception cref="EngineUnavailableException">The native libraries could not be loaded.</exception>
    public static void EnsureLoaded()
    {
        lock (Gate)
        {
            if (loaded) return;
            try
            {
                KeepFreedMemoryInTheHeap();
                // Any call into torch runs its static initialiser, which loads the native libraries.
                _ = torch.get_num_threads();
                loaded = true;
            }
            catch (Exception error) when (error is TypeInitializationException or DllNotFoundException or NotSupportedException)
            {
                throw new EngineUnavailableException(Explain(error), error);
            }
        }
    }

    /// <summary>
    /// Sets the number of threads libtorch uses inside one operation; 0 means one per core.
    /// Results repeat exactly only for the same thread count.
    /// </summary>
    public static int UseThreads(int threads)
    {
        EnsureLoaded();
        var count = threads > 0 ? threads : Environment.ProcessorCount;
        torch.set_num_threads(count);
        return count;
    }

    /// <summary>Seeds libtorch's global generator, which weight initialisation and dropout draw from.</summary>
    public static void Seed(int seed)
    {
        EnsureLoaded();
        torch.manual_seed(seed);
    }

    // glibc's mallopt parameters (malloc.h).
    private const int MallocTrimThreshold = -1;
    private const int MallocMmapThreshold = -3;

    [DllImport("libc", EntryPoint = "mallopt")]
    private static extern int Mallopt(int parameter, int value);

    /// <summary>
    /// libtorch allocates a fresh buffer for every activation and gradient of every batch. Buffers above
    /// glibc's mmap threshold are mapped and unmapped each time, so their pages are faulted in and zeroed
    /// again on every step. Raising the threshold to its 32 MiB maximum and not trimming the heap keeps
    /// them reusable: measured +40–50% training throughput for the CNN at batch 128 on 2 cores
    /// (see README, Speed). Costs only memory the process already used at its peak.
    /// </summary>
    private static void KeepFreedMemoryInTheHeap()
    {
        if (!OperatingSystem.IsLinux()) return;
        try
        {
            Mallopt(MallocMmapThreshold, 32 * 1024 * 1024);
            Mallopt(MallocTrimThreshold, 1024 * 1024 * 1024);
        }
        catch (Exception error) when (error is DllNotFoundException or EntryPointNotFoundException)
        {
            // Not glibc (e.g. musl): keep its defaults.
        }
    }

    private static string Explain(Exception error)
    {
        // TorchSharp's own message is a long trace; the first line of each message says what failed,
        // and loading the wrapper directly surfaces the dynamic loader's reason (such as a missing GLIBCXX version).
        var details = string.Join(" → ", Flatten(error).Select(e => FirstLine(e.Message)).Append(LoaderReason()).OfType<string>().Distinct());
        var hint = details.Contains("GLIBCXX", StringComparison.Ordinal)
            ? " The host's libstdc++ is older than the one libLibTorchSharp.so was built against; the build marks that " +
              "dependency weak in the output copy (see README, 'libstdc++ on Debian 12'). Rebuild with `dotnet build` so the step runs."
            : "";
        return $"The TorchSharp engine (libtorch) could not be loaded: {details}.{hint}";
    }

    private static string FirstLine(string message) => message.Split('\n', 2)[0].Trim();

    private static string? LoaderReason()
    {
        var library = OperatingSystem.IsWindows() ? "LibTorchSharp.dll" : OperatingSystem.IsMacOS() ? "libLibTorchSharp.dylib" : "libLibTorchSharp.so";
        var rid = RuntimeInformation.RuntimeIdentifier;
        foreach (var candidate in new[] { Path.Combine(AppContext.BaseDirectory, library), Path.Combine(AppContext.BaseDirectory, "runtimes", rid, "native", library) })
        {
            if (!File.Exists(candidate)) continue;
            try
            {
                NativeLibrary.Free(NativeLibrary.Load(candidate));
            }
            catch (DllNotFoundException failure)
            {
                return FirstLine(failure.Message);
            }
        }
        return null;
    }

    private static IEnumerable<Exception> Flatten(Exception error)
    {
        for (Exception? e = error; e is not null; e = e.InnerException) yield return e;
    }
}

/// <summary>The native TorchSharp/libtorch libraries could not be loaded on this machine.</summary>
public sealed class EngineUnavailableException(string message, Exception inner) : Exception(message, inner);
