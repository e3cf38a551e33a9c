namespace DigitRecognizer.Cli.Rendering;

/// <summary>
/// An <see cref="IProgress{T}"/> that handles each report at once on the reporting thread
/// (the framework's Progress&lt;T&gt; posts to the thread pool, so reports could arrive late and out of order).
/// </summary>
internal sealed class SyncProgress<T>(Action<T> handle) : IProgress<T>
{
    public void Report(T value) => handle(value);
}
