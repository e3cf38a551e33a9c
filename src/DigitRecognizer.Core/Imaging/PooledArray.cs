using System.Buffers;

namespace DigitRecognizer.Imaging;

/// <summary>
/// An array of a page's size, borrowed from the shared pool and given back on <see cref="Dispose"/>. A page's pixels
/// (600×200 is 120,000: 480 KB of floats) are large objects, which only a full collection frees: reading a number
/// allocated 2.2 MB of them, about one full collection per 20 numbers read, and borrowed they cost a server ~1.3× its
/// <c>POST /api/read</c> throughput (measured in pairs with <c>digits bench-serve</c>). A borrowed array may be longer
/// than asked for and hold an earlier reader's values: <see cref="Length"/> is its size, and it holds zeros only when
/// rented with <c>clear</c>.
/// </summary>
internal sealed class PooledArray<T> : IDisposable
{
    private readonly bool pooled;
    private T[]? array;

    private PooledArray(T[] array, int length, bool pooled)
    {
        (this.array, Length, this.pooled) = (array, length, pooled);
    }

    /// <summary>Borrows an array of at least <paramref name="length"/> values; zeros in the first <paramref name="length"/> when <paramref name="clear"/>.</summary>
    public static PooledArray<T> Rent(int length, bool clear = false)
    {
        var rented = ArrayPool<T>.Shared.Rent(length);
        if (clear) System.Array.Clear(rented, 0, length);
        return new PooledArray<T>(rented, length, pooled: true);
    }

    /// <summary>An array of the caller's, exactly <paramref name="array"/>'s length, that <see cref="Dispose"/> leaves alone.</summary>
    public static PooledArray<T> Wrap(T[] array) => new(array, array.Length, pooled: false);

    /// <summary>The values; only the first <see cref="Length"/> are this array's.</summary>
    public T[] Array => array ?? throw new ObjectDisposedException(nameof(PooledArray<T>));

    public int Length { get; }

    public Span<T> Span => Array.AsSpan(0, Length);

    public void Dispose()
    {
        if (pooled && array is not null) ArrayPool<T>.Shared.Return(array);
        array = null;
    }
}
