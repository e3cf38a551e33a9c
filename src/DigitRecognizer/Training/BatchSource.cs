using DigitRecognizer.Models;
using static TorchSharp.torch;

namespace DigitRecognizer.Training;

/// <summary>
/// Serves an epoch's mini-batches in a seeded random order, distorted and normalised. Each epoch's order is
/// the previous one shuffled again by one <see cref="Random"/> seeded once, so the order after k shuffles is
/// found again by replaying them (see <see cref="BatchSource(Tensor, Tensor, int, int, int, BatchAugmenter?, InputNormalization)"/>).
/// </summary>
internal sealed class BatchSource : IDisposable
{
    private readonly Tensor images;
    private readonly Tensor labels;
    private readonly int batchSize;
    private readonly Random random;
    private readonly BatchAugmenter? augmenter;
    private readonly InputNormalization normalization;
    private readonly long[] order;
    private Tensor? permutation;

    /// <param name="images">N×1×28×28 raw [0, 1] pixels.</param>
    /// <param name="labels">N class indices.</param>
    /// <param name="batchSize">Images per batch (the last one may be smaller, or one larger: see <see cref="BatchesPerEpoch"/>).</param>
    /// <param name="seed">Seeds the shuffling.</param>
    /// <param name="shufflesDone">Shuffles an earlier run already made (epochs it finished): replayed, so the next order is the one it would have used.</param>
    /// <param name="augmenter">Distorts each batch, or null.</param>
    /// <param name="normalization">Applied to each batch after distortion.</param>
    public BatchSource(Tensor images, Tensor labels, int batchSize, int seed, int shufflesDone,
        BatchAugmenter? augmenter, InputNormalization normalization)
    {
        this.images = images;
        this.labels = labels;
        this.batchSize = batchSize;
        this.augmenter = augmenter;
        this.normalization = normalization;
        random = new Random(seed);
        order = Enumerable.Range(0, (int)images.shape[0]).Select(i => (long)i).ToArray();
        for (var i = 0; i < shufflesDone; i++) random.Shuffle(order);
    }

    /// <summary>Batches per epoch.</summary>
    public int Count => BatchesPerEpoch(order.Length, batchSize);

    /// <summary>
    /// Batches of <paramref name="batchSize"/> that <paramref name="images"/> make, the last one taking what is left;
    /// a single image left over joins the batch before it instead. Batch norm cannot train on a batch of one: its
    /// variance over one value (with no spatial extent, as after the 4×4 convolution of cnn-bn) is 0/0, and the NaN
    /// it leaves in the running variance made every validation prediction NaN (271 training images at batch 30).
    /// </summary>
    public static int BatchesPerEpoch(int images, int batchSize) =>
        images % batchSize == 1 && images > batchSize ? images / batchSize : (images + batchSize - 1) / batchSize;

    /// <summary>Draws the next epoch's order.</summary>
    public void Shuffle()
    {
        random.Shuffle(order);
        permutation?.Dispose();
        permutation = tensor(order);
    }

    /// <summary>Batch <paramref name="index"/> of the current order, in the caller's dispose scope.</summary>
    public (Tensor Images, Tensor Labels) Get(int index)
    {
        var start = index * batchSize;
        var size = index == Count - 1 ? order.Length - start : batchSize;
        var indices = permutation!.narrow(0, start, size);
        var x = images.index_select(0, indices);
        if (augmenter is not null) x = augmenter.Apply(x);
        x = normalization.Apply(x);
        return (x, labels.index_select(0, indices));
    }

    /// <inheritdoc />
    public void Dispose() => permutation?.Dispose();
}
