namespace DigitRecognizer.IO;

/// <summary>
/// Writes a file so that readers only ever see the old version or the complete new one: the content
/// goes to a temporary file beside the target, which replaces the target only once fully written.
/// A failure part-way leaves the previous file exactly as it was.
/// </summary>
public static class AtomicFile
{
    /// <summary>Writes <paramref name="path"/> through <paramref name="write"/>, atomically.</summary>
    /// <exception cref="IOException">The file or its folder cannot be written; the message names <paramref name="path"/>.</exception>
    public static void Write(string path, Action<Stream> write)
    {
        var fullPath = Path.GetFullPath(path);
        var directory = Path.GetDirectoryName(fullPath)!;
        var temporary = Path.Combine(directory, $".{Path.GetFileName(fullPath)}.{Guid.NewGuid():N}.tmp");
        try
        {
            Directory.CreateDirectory(directory);
            using (var stream = new FileStream(temporary, FileMode.CreateNew, FileAccess.Write, FileShare.None, 1 << 16))
            {
                write(stream);
                stream.Flush(flushToDisk: true);
            }
            File.Move(temporary, fullPath, overwrite: true);
        }
        catch (Exception error) when (error is IOException or UnauthorizedAccessException)
        {
            TryDelete(temporary);
            // The system's message alone ("Could not find file '/proc/x'") does not say which output failed.
            // Its temporary file's name would only puzzle: the failure is the target's folder's.
            throw new IOException($"cannot write {path}: {error.Message.Replace(temporary, "a temporary file beside it")}", error);
        }
        catch
        {
            TryDelete(temporary);
            throw;
        }
    }

    /// <summary>Writes <paramref name="bytes"/> to <paramref name="path"/>, atomically.</summary>
    public static void WriteBytes(string path, byte[] bytes) => Write(path, stream => stream.Write(bytes));

    /// <summary>Writes UTF-8 text (no byte-order mark) to <paramref name="path"/>, atomically.</summary>
    public static void WriteText(string path, Action<TextWriter> write) =>
        Write(path, stream =>
        {
            using var writer = new StreamWriter(stream, new System.Text.UTF8Encoding(false), 1 << 16, leaveOpen: true);
            writer.NewLine = "\n";
            write(writer);
        });

    private static void TryDelete(string path)
    {
        try { File.Delete(path); }
        catch (IOException) { }
        catch (UnauthorizedAccessException) { }
    }
}
