namespace DigitRecognizer.Training;

/// <summary>The figures of one epoch. Validation figures are null when no validation part was held out.</summary>
/// <param name="Epoch">1-based epoch number.</param>
/// <param name="TrainLoss">Mean cross-entropy over the epoch's training batches (weights changing as it goes).</param>
/// <param name="TrainAccuracy">Share of training images classified correctly during the epoch, 0–1.</param>
/// <param name="ValidationLoss">Mean cross-entropy on the validation part after the epoch.</param>
/// <param name="ValidationAccuracy">Validation accuracy after the epoch, 0–1.</param>
/// <param name="Seconds">Wall time of the epoch including validation.</param>
/// <param name="ImagesPerSecond">Training throughput (training images / training time, validation excluded).</param>
public sealed record EpochMetrics(
    int Epoch,
    double TrainLoss,
    double TrainAccuracy,
    double? ValidationLoss,
    double? ValidationAccuracy,
    double Seconds,
    double ImagesPerSecond);
