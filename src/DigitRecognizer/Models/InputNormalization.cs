using static TorchSharp.torch;

namespace DigitRecognizer.Models;

/// <summary>
/// How pixels become network input, stored in every checkpoint so prediction repeats training's
/// preprocessing exactly: (x − Mean) / Std of pixels already in [0, 1]. Every reader delivers [0, 1]
/// (0 background … 1 ink: raw 0–255 divided by <see cref="DigitImage.MaxPixelValue"/>), so that step is not
/// the model's to choose. The notebook models use Mean 0, Std 1, i.e. plain [0, 1] scaling.
/// </summary>
/// <remarks>
/// Format-1 checkpoints also stored <c>pixelScale</c> (always 255, never read): unknown members are skipped
/// so they still load.
/// </remarks>
[System.Text.Json.Serialization.JsonUnmappedMemberHandling(System.Text.Json.Serialization.JsonUnmappedMemberHandling.Skip)]
public sealed record InputNormalization
{
    /// <summary>Subtracted after scaling.</summary>
    public double Mean { get; init; }

    /// <summary>Divides after subtracting the mean.</summary>
    public double Std { get; init; } = 1.0;

    /// <summary>Image side in pixels; inputs must be Side × Side.</summary>
    public int Side { get; init; } = DigitImage.Side;

    /// <summary>The network-input value of a background (0) pixel.</summary>
    [System.Text.Json.Serialization.JsonIgnore]
    public double Background => -Mean / Std;

    /// <summary>Scaling to [0, 1] only: the notebook's preprocessing.</summary>
    public static InputNormalization UnitRange { get; } = new();

    /// <summary>
    /// Turns <paramref name="count"/> images of [0, 1] pixels starting at image <paramref name="first"/>
    /// into an N×1×28×28 float tensor for the network.
    /// </summary>
    public Tensor ToInput(float[] pixels, int first, int count)
    {
        var source = pixels.AsSpan(first * DigitImage.PixelCount, count * DigitImage.PixelCount);
        // Copied into memory libtorch allocates (64-byte aligned), not wrapped as tensor(float[]) would: that
        // pins a managed copy, 8-byte aligned at a place that changes from call to call, and Intel's MKL documents
        // that its results may then differ in the last bit with the alignment (which prediction must not).
        var x = empty([count, 1, Side, Side]);
        unsafe
        {
            source.CopyTo(new Span<float>((float*)x.storage<float>().data_ptr(), source.Length));
        }
        return Apply(x);
    }

    /// <summary>Applies (x − Mean) / Std to a tensor of [0, 1] pixels (in place when it changes anything).</summary>
    public Tensor Apply(Tensor unitPixels)
    {
        if (Mean == 0 && Std == 1) return unitPixels;
        return unitPixels.sub_(Mean).div_(Std);
    }
}
