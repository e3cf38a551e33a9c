using System.Numerics;
using System.Runtime.CompilerServices;
using DigitRecognizer.Reading;
using SkiaSharp;

namespace DigitRecognizer.Imaging;

/// <summary>Decodes PNG/JPEG bytes into a luminance map (0 black … 1 white), upright and at most a working size.</summary>
internal static class ImageDecoder
{
    /// <summary>Where decoded pixels lie in the upright original: pixel (x, y) covers from (X + x·ScaleX, Y + y·ScaleY), ScaleX × ScaleY original pixels.</summary>
    public readonly record struct Placement(double X, double Y, double ScaleX, double ScaleY)
    {
        /// <summary>A box of decoded pixels as the original pixels it covers, within the original's <paramref name="width"/> × <paramref name="height"/>.</summary>
        public PixelBox ToOriginal(PixelBox box, int width, int height)
        {
            var (left, top) = ((int)Math.Floor(X + box.X * ScaleX + 1e-9), (int)Math.Floor(Y + box.Y * ScaleY + 1e-9));
            var (right, bottom) = ((int)Math.Ceiling(X + box.Right * ScaleX - 1e-9), (int)Math.Ceiling(Y + box.Bottom * ScaleY - 1e-9));
            (left, top) = (Math.Clamp(left, 0, width - 1), Math.Clamp(top, 0, height - 1));
            return new PixelBox(left, top, Math.Clamp(right, left + 1, width) - left, Math.Clamp(bottom, top + 1, height) - top);
        }
    }

    public static (float[] Luminance, int Width, int Height) Decode(ReadOnlySpan<byte> bytes, PreprocessingOptions options)
    {
        var (luminance, width, height, _, _) = DecodeWithOriginalSize(bytes, options, pooled: false);
        return (luminance.Array, width, height);
    }

    /// <summary>
    /// As <see cref="Decode"/>, also giving the upright size of the image as stored, so that what is found in the
    /// reduced working copy can be reported in the original image's coordinates. With <paramref name="pooled"/>, the
    /// luminance may be borrowed from the shared pool (longer than the image: its <c>Length</c> is the image's);
    /// without, it is an array of exactly the image's size.
    /// </summary>
    public static (PooledArray<float> Luminance, int Width, int Height, int OriginalWidth, int OriginalHeight) DecodeWithOriginalSize(
        ReadOnlySpan<byte> bytes, PreprocessingOptions options, bool pooled)
    {
        using var data = SKData.CreateCopy(bytes);
        using var codec = Open(data, options);
        var info = codec.Info;
        // JPEG can decode straight to 1/2, 1/4 or 1/8 size: far faster for phone photos, which are reduced anyway.
        var longest = Math.Max(info.Width, info.Height);
        var size = longest > options.WorkingSide ? codec.GetScaledDimensions((float)options.WorkingSide / longest) : info.Size;
        // Borrowed only up to the working size: the pool keeps what it is given back, and a 50-megapixel PNG (which,
        // unlike JPEG, cannot be decoded reduced) would leave 200 MB in it.
        var borrow = pooled && (long)size.Width * size.Height <= (long)options.WorkingSide * options.WorkingSide;
        var (luminance, width, height) = DecodeUpright(codec, size, borrow);
        var (originalWidth, originalHeight) = UprightSize(codec);

        longest = Math.Max(width, height);
        if (longest > options.WorkingSide)
        {
            var scale = (double)options.WorkingSide / longest;
            var (newWidth, newHeight) = (Math.Max(1, (int)Math.Round(width * scale)), Math.Max(1, (int)Math.Round(height * scale)));
            var reduced = Raster.Resize(luminance.Array, width, height, newWidth, newHeight);
            luminance.Dispose();
            (luminance, width, height) = (PooledArray<float>.Wrap(reduced), newWidth, newHeight);
        }
        return (luminance, width, height, originalWidth, originalHeight);
    }

    /// <summary>
    /// A part of the image, <paramref name="region"/> in the upright original's pixels, at <paramref name="scale"/>
    /// pixels per original pixel: decoded from the file at the smallest size the codec offers that holds that much
    /// detail (JPEG: eighths of the full size), never more than <paramref name="maxDecodedPixels"/> where the codec can
    /// decode smaller, then cropped and resized. <c>Placement</c> is where the result lies in the original.
    /// </summary>
    public static (float[] Luminance, int Width, int Height, Placement Placement) DecodeRegion(
        ReadOnlySpan<byte> bytes, PreprocessingOptions options, PixelBox region, double scale, long maxDecodedPixels)
    {
        using var data = SKData.CreateCopy(bytes);
        using var codec = Open(data, options);
        var (originalWidth, originalHeight) = UprightSize(codec);
        var fits = Math.Sqrt((double)maxDecodedPixels / ((long)originalWidth * originalHeight));
        var detail = Math.Min(1, Math.Min(scale, fits));
        var size = detail < 1 ? codec.GetScaledDimensions((float)detail) : codec.Info.Size;
        var (decoded, width, height) = DecodeUpright(codec, size, pooled: false);
        using (decoded)
        {
            var (fx, fy) = ((double)width / originalWidth, (double)height / originalHeight);
            var left = Math.Clamp((int)Math.Floor(region.X * fx), 0, width - 1);
            var top = Math.Clamp((int)Math.Floor(region.Y * fy), 0, height - 1);
            var right = Math.Clamp((int)Math.Ceiling(region.Right * fx), left + 1, width);
            var bottom = Math.Clamp((int)Math.Ceiling(region.Bottom * fy), top + 1, height);
            var (crop, outWidth, outHeight, inDecoded) = Enlarge(decoded.Array, width, new PixelBox(left, top, right - left, bottom - top), scale / fx, scale / fy);
            // Where the crop lies in the decoded pixels, taken on to the original's.
            var placement = new Placement(inDecoded.X / fx, inDecoded.Y / fy, inDecoded.ScaleX / fx, inDecoded.ScaleY / fy);
            return (crop, outWidth, outHeight, placement);
        }
    }

    /// <summary>
    /// <paramref name="region"/> of an image <paramref name="width"/> wide, resized by <paramref name="scaleX"/> ×
    /// <paramref name="scaleY"/> (at least a pixel each way), and where the result lies in that image.
    /// </summary>
    public static (float[] Luminance, int Width, int Height, Placement Placement) Enlarge(float[] luminance, int width, PixelBox region, double scaleX, double scaleY)
    {
        var (outWidth, outHeight) = (Math.Max(1, (int)Math.Round(region.Width * scaleX)), Math.Max(1, (int)Math.Round(region.Height * scaleY)));
        var crop = Raster.Crop(luminance, width, region.X, region.Y, region.Width, region.Height);
        var resized = (outWidth, outHeight) == (region.Width, region.Height) ? crop : Raster.Resize(crop, region.Width, region.Height, outWidth, outHeight);
        return (resized, outWidth, outHeight, new Placement(region.X, region.Y, (double)region.Width / outWidth, (double)region.Height / outHeight));
    }

    /// <summary>The codec of a PNG or JPEG, checked to have pixels and not too many of them.</summary>
    private static SKCodec Open(SKData data, PreprocessingOptions options)
    {
        var codec = SKCodec.Create(data) ?? throw new InvalidImageException("not an image (expected PNG or JPEG)");
        var info = codec.Info;
        try
        {
            if (info.Width < 1 || info.Height < 1)
                throw new InvalidImageException("the image has no pixels");
            if ((long)info.Width * info.Height > options.MaxPixels)
                throw new InvalidImageException(
                    $"its {codec.EncodedFormat.ToString().ToUpperInvariant()} header gives {info.Width}×{info.Height} pixels, more than the {options.MaxPixels:N0} accepted");
            return codec;
        }
        catch
        {
            codec.Dispose();
            throw;
        }
    }

    /// <summary>The image's size as a phone's gallery shows it (EXIF orientation applied).</summary>
    private static (int Width, int Height) UprightSize(SKCodec codec) => Swaps(codec.EncodedOrigin)
        ? (codec.Info.Height, codec.Info.Width)
        : (codec.Info.Width, codec.Info.Height);

    /// <summary>The luminance of the whole image decoded at <paramref name="size"/> (one the codec offers), turned upright.</summary>
    private static (PooledArray<float> Luminance, int Width, int Height) DecodeUpright(SKCodec codec, SKSizeI size, bool pooled)
    {
        // A grayscale file (a scan, most synthetic images) decodes straight to its gray levels: a quarter of the bytes,
        // and no colour to weigh.
        var gray = codec.Info.ColorType == SKColorType.Gray8;
        var target = gray
            ? new SKImageInfo(size.Width, size.Height, SKColorType.Gray8, SKAlphaType.Opaque)
            : new SKImageInfo(size.Width, size.Height, SKColorType.Rgba8888, SKAlphaType.Unpremul);
        using var bitmap = new SKBitmap(target);
        var result = codec.GetPixels(target, bitmap.GetPixels());
        if (result != SKCodecResult.Success)
            throw new InvalidImageException(result == SKCodecResult.IncompleteInput
                ? "the image is truncated"
                : $"the image could not be decoded ({result})");

        var count = size.Width * size.Height;
        var luminance = pooled ? PooledArray<float>.Rent(count) : PooledArray<float>.Wrap(new float[count]);
        if (gray) Levels(bitmap.GetPixelSpan(), luminance.Span);
        else Flatten(bitmap.GetPixelSpan(), luminance.Span);
        // Turned (rare for the images a server reads), the result is a new array of its exact size.
        var (turned, width, height) = Orient(luminance.Array, size.Width, size.Height, codec.EncodedOrigin);
        if (turned == luminance.Array) return (luminance, width, height);
        luminance.Dispose();
        return (PooledArray<float>.Wrap(turned), width, height);
    }

    /// <summary>Gray levels 0–255 to luminance 0–1.</summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private static void Levels(ReadOnlySpan<byte> gray, Span<float> luminance)
    {
        // A vector of bytes at a time, widened to floats: the same division, so the same values.
        var (i, step, levels) = (0, Vector<byte>.Count, new Vector<float>(255f));
        var quarter = Vector<float>.Count;
        for (; i + step <= luminance.Length; i += step)
        {
            Vector.Widen(new Vector<byte>(gray[i..]), out var low, out var high);
            Vector.Widen(low, out var first, out var second);
            Vector.Widen(high, out var third, out var fourth);
            (Vector.ConvertToSingle(first) / levels).CopyTo(luminance[i..]);
            (Vector.ConvertToSingle(second) / levels).CopyTo(luminance[(i + quarter)..]);
            (Vector.ConvertToSingle(third) / levels).CopyTo(luminance[(i + 2 * quarter)..]);
            (Vector.ConvertToSingle(fourth) / levels).CopyTo(luminance[(i + 3 * quarter)..]);
        }
        for (; i < luminance.Length; i++) luminance[i] = gray[i] / 255f;
    }

    /// <summary>
    /// RGBA to luminance (Rec. 601 weights). Transparent parts are laid over a backdrop that contrasts with the
    /// opaque ones, so a drawing of dark strokes on a transparent canvas reads as ink on white, and light
    /// strokes on transparency as ink on black.
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private static void Flatten(ReadOnlySpan<byte> rgba, Span<float> luminance)
    {
        var count = luminance.Length;
        var anyTransparent = false;
        for (var i = 0; i < count; i++)
        {
            var p = rgba.Slice(i * 4, 4);
            luminance[i] = (0.299f * p[0] + 0.587f * p[1] + 0.114f * p[2]) / 255f;
            anyTransparent |= p[3] < 255;
        }
        // Most images are opaque: the alpha channel is only looked at again when some pixel is not.
        if (!anyTransparent) return;
        double opaqueSum = 0;
        var opaqueCount = 0;
        for (var i = 0; i < count; i++)
            if (rgba[i * 4 + 3] >= 128)
            {
                opaqueSum += luminance[i];
                opaqueCount++;
            }
        var backdrop = opaqueCount > 0 && opaqueSum / opaqueCount > 0.5 ? 0f : 1f;
        for (var i = 0; i < count; i++)
        {
            var alpha = rgba[i * 4 + 3] / 255f;
            luminance[i] = alpha * luminance[i] + (1 - alpha) * backdrop;
        }
    }

    /// <summary>Whether the EXIF orientation turns the image a quarter turn (its width and height swap).</summary>
    private static bool Swaps(SKEncodedOrigin origin) =>
        origin is SKEncodedOrigin.LeftTop or SKEncodedOrigin.RightTop or SKEncodedOrigin.RightBottom or SKEncodedOrigin.LeftBottom;

    /// <summary>Turns the stored pixels the way the EXIF orientation says, as a phone's gallery shows the photo.</summary>
    private static (float[] Pixels, int Width, int Height) Orient(float[] pixels, int width, int height, SKEncodedOrigin origin)
    {
        if (origin is SKEncodedOrigin.TopLeft or 0) return (pixels, width, height);
        var (outWidth, outHeight) = Swaps(origin) ? (height, width) : (width, height);
        var result = new float[width * height];
        for (var y = 0; y < outHeight; y++)
            for (var x = 0; x < outWidth; x++)
            {
                var (sx, sy) = origin switch
                {
                    SKEncodedOrigin.TopRight => (width - 1 - x, y),
                    SKEncodedOrigin.BottomRight => (width - 1 - x, height - 1 - y),
                    SKEncodedOrigin.BottomLeft => (x, height - 1 - y),
                    SKEncodedOrigin.LeftTop => (y, x),
                    SKEncodedOrigin.RightTop => (y, height - 1 - x),
                    SKEncodedOrigin.RightBottom => (width - 1 - y, height - 1 - x),
                    SKEncodedOrigin.LeftBottom => (width - 1 - y, x),
                    _ => (x, y),
                };
                result[y * outWidth + x] = pixels[sy * width + sx];
            }
        return (result, outWidth, outHeight);
    }
}
