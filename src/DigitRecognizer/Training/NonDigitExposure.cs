using DigitRecognizer.Data;
using DigitRecognizer.Models;
using static TorchSharp.torch;

namespace DigitRecognizer.Training;

/// <summary>
/// Outlier exposure (Hendrycks, Mazeika and Dietterich, "Deep Anomaly Detection with Outlier Exposure", ICLR 2019):
/// every training batch also carries synthetic non-digits (<see cref="SyntheticNonDigits"/>), and the loss adds the
/// cross-entropy of the network's ten probabilities on them against the uniform distribution, weighted by
/// <see cref="TrainingOptions.NonDigitWeight"/>. The ten outputs stay digit probabilities (the interface is unchanged);
/// what changes is that a non-digit gets no confident digit, so the max-probability refusal rule can turn it away.
/// The non-digits of batch b in epoch e are fixed by the seed, e and b alone: a resumed run shows the same ones
/// without any state to save.
/// </summary>
internal sealed class NonDigitExposure : IDisposable
{
    private readonly Tensor pool;
    private readonly BatchAugmenter? augmenter;
    private readonly InputNormalization normalization;
    private readonly int perBatch;
    private readonly int seed;
    private readonly double weight;
    private long[] order = [];

    /// <param name="trainingPart">The digits being trained on, from which pairs of digits in one frame are made (never validation images).</param>
    /// <param name="batchSize">Digits per batch.</param>
    /// <param name="perDigit">Non-digits per digit in each batch (<see cref="TrainingOptions.NonDigitsPerDigit"/>; at least one per batch).</param>
    /// <param name="augmenter">
    /// The digits' distortions, applied to the non-digits too. Without them the network learns a shortcut: distorted
    /// (resampled) images are digits, crisp ones are not — and then refuses every undistorted validation digit (seen: a
    /// cnn-bn run whose validation accuracy fell to 13% by epoch 4, its loss at ln 10, while training accuracy rose).
    /// </param>
    /// <param name="touchingPairShare">Share of the pairs drawn touching (<see cref="TrainingOptions.TouchingPairShare"/>).</param>
    /// <param name="poolSize">Non-digits drawn for the run (<see cref="TrainingOptions.NonDigitPoolSize"/>).</param>
    public NonDigitExposure(DigitDataset trainingPart, int batchSize, double perDigit, int seed, double weight, double touchingPairShare,
        BatchAugmenter? augmenter, InputNormalization normalization, int poolSize = TrainingOptions.DefaultNonDigitPoolSize)
    {
        var images = SyntheticNonDigits.Generate(poolSize, seed, trainingPart, touchingPairShare);
        // Raw [0, 1] pixels, as the digits' before distortion.
        pool = InputNormalization.UnitRange.ToInput(images.Pixels, 0, images.Count);
        this.augmenter = augmenter;
        this.normalization = normalization;
        perBatch = Math.Max(1, (int)Math.Floor(batchSize * perDigit));
        this.seed = seed;
        this.weight = weight;
    }

    /// <summary>How many non-digits the pool holds.</summary>
    public int PoolCount => (int)pool.shape[0];

    /// <summary>Sets the order in which <paramref name="epoch"/>'s batches take non-digits from the pool.</summary>
    public void StartEpoch(int epoch)
    {
        order = Enumerable.Range(0, (int)pool.shape[0]).Select(i => (long)i).ToArray();
        // Not HashCode.Combine: it is randomised per process, and the order must be the same in every run.
        new Random(unchecked(seed * 1_000_003 + epoch)).Shuffle(order);
    }

    /// <summary>Batch <paramref name="index"/>'s non-digits, distorted as the digits are and normalised, in the caller's dispose scope.</summary>
    public Tensor Batch(int index)
    {
        var indices = new long[perBatch];
        for (var i = 0; i < perBatch; i++) indices[i] = order[(index * perBatch + i) % order.Length];
        using var selected = tensor(indices);
        var x = pool.index_select(0, selected);
        if (augmenter is not null) x = augmenter.Apply(x);
        return normalization.Apply(x);
    }

    /// <summary>The weighted cross-entropy of the non-digits' logits against uniform: the mean over images of −mean_k log softmax_k.</summary>
    public Tensor Loss(Tensor logits) => nn.functional.log_softmax(logits, 1).mean([1]).mean().neg().mul(weight);

    /// <inheritdoc />
    public void Dispose() => pool.Dispose();
}
