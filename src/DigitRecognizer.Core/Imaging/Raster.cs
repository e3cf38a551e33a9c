using System.Runtime.CompilerServices;
namespace DigitRecognizer.Imaging;

/// <summary>
/// Resizing and morphology on one-channel float images held row-major (<c>width × height</c> values).
/// Written out here rather than done in SkiaSharp so that the 28×28 the model sees is exact and the same
/// on every platform.
/// </summary>
internal static class Raster
{
    /// <summary>
    /// Resizes to <paramref name="outWidth"/> × <paramref name="outHeight"/>. Shrinking averages areas: each
    /// output pixel is the mean of the source it covers, fractions of pixels included, which is the
    /// anti-aliasing MNIST's size normalisation did. Enlarging interpolates bilinearly.
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    public static float[] Resize(float[] source, int width, int height, int outWidth, int outHeight)
    {
        var horizontal = Contributions(width, outWidth);
        var vertical = Contributions(height, outHeight);
        var rows = new float[outWidth * height];
        for (var y = 0; y < height; y++)
        {
            var line = source.AsSpan(y * width, width);
            for (var x = 0; x < outWidth; x++)
            {
                float sum = 0;
                foreach (var (index, weight) in horizontal[x]) sum += line[index] * weight;
                rows[y * outWidth + x] = sum;
            }
        }
        var result = new float[outWidth * outHeight];
        for (var y = 0; y < outHeight; y++)
            foreach (var (index, weight) in vertical[y])
                for (var x = 0; x < outWidth; x++)
                    result[y * outWidth + x] += rows[index * outWidth + x] * weight;
        return result;
    }

    /// <summary>Which source pixels make each output pixel along one axis, and by how much (weights sum to 1).</summary>
    private static (int Index, float Weight)[][] Contributions(int inLength, int outLength)
    {
        var scale = (double)outLength / inLength;
        var result = new (int, float)[outLength][];
        for (var o = 0; o < outLength; o++)
        {
            if (scale <= 1)
            {
                var start = o / scale;
                var end = (o + 1) / scale;
                var parts = new List<(int, float)>();
                for (var i = (int)Math.Floor(start); i < Math.Min(inLength, (int)Math.Ceiling(end)); i++)
                {
                    var overlap = Math.Min(end, i + 1) - Math.Max(start, i);
                    if (overlap > 0) parts.Add((i, (float)(overlap * scale)));
                }
                result[o] = [.. parts];
            }
            else
            {
                var at = Math.Clamp((o + 0.5) / scale - 0.5, 0, inLength - 1);
                var left = (int)Math.Floor(at);
                var right = Math.Min(left + 1, inLength - 1);
                var t = (float)(at - left);
                result[o] = [(left, 1 - t), (right, t)];
            }
        }
        return result;
    }

    /// <summary>The <paramref name="cropWidth"/> × <paramref name="cropHeight"/> rectangle at (<paramref name="left"/>, <paramref name="top"/>) of an image <paramref name="width"/> wide.</summary>
    public static float[] Crop(float[] source, int width, int left, int top, int cropWidth, int cropHeight)
    {
        var result = new float[cropWidth * cropHeight];
        for (var y = 0; y < cropHeight; y++)
            source.AsSpan((top + y) * width + left, cropWidth).CopyTo(result.AsSpan(y * cropWidth, cropWidth));
        return result;
    }

    /// <summary>Grayscale dilation (<paramref name="grow"/>) or erosion with a (2r+1)² square, in time independent of r.</summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    public static float[] Morph(float[] source, int width, int height, int radius, bool grow)
    {
        var rows = new float[source.Length];
        for (var y = 0; y < height; y++)
            SlidingExtreme(source, y * width, 1, width, radius, grow, rows);
        var result = new float[source.Length];
        for (var x = 0; x < width; x++)
            SlidingExtreme(rows, x, width, height, radius, grow, result);
        return result;
    }

    /// <summary>
    /// The max (or min) of every window of 2r+1 along one line of <paramref name="count"/> values spaced
    /// <paramref name="stride"/> apart, with a monotonic queue of candidate positions: O(count).
    /// Outside the line counts as 0 for erosion (the background), so ink touching the edge is worn away too.
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private static void SlidingExtreme(float[] source, int first, int stride, int count, int radius, bool max, float[] output)
    {
        var queue = new int[count];
        int head = 0, tail = 0;
        for (var i = 0; i < count + radius; i++)
        {
            if (i < count)
            {
                var value = source[first + i * stride];
                while (tail > head && (max ? source[first + queue[tail - 1] * stride] <= value : source[first + queue[tail - 1] * stride] >= value))
                    tail--;
                queue[tail++] = i;
            }
            var centre = i - radius;
            if (centre < 0) continue;
            while (queue[head] < centre - radius) head++;
            var extreme = source[first + queue[head] * stride];
            var windowLeavesLine = centre - radius < 0 || centre + radius >= count;
            output[first + centre * stride] = !max && windowLeavesLine ? 0 : extreme;
        }
    }
}
