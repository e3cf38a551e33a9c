using DigitRecognizer.Data;
using DigitRecognizer.Evaluation;
using DigitRecognizer.Inference;

namespace DigitRecognizer.Visualization;

/// <summary>
/// The three digit pictures: digits as they are, digits with a model's answers, and a model's most
/// confident mistakes. Each has a method for its tiles (captions and marks) and one that draws the PNG
/// with a title. Images are numbered from 1, as Kaggle's ImageId.
/// </summary>
public static class DigitPictures
{
    /// <summary>Digits drawn by <c>digits show</c> unless told otherwise: a 6×6 grid.</summary>
    public const int DefaultCount = 36;

    /// <summary>The first <paramref name="count"/> digits, captioned "#n" or, with <paramref name="labels"/> and known labels, "#n: label".</summary>
    public static IReadOnlyList<DigitTile> SampleTiles(DigitDataset data, int count, bool labels)
    {
        CheckCount(count);
        var withLabels = labels && data.Labels is not null;
        return Enumerable.Range(0, Math.Min(count, data.Count))
            .Select(i => new DigitTile(Pixels(data, i), withLabels ? ChartStyle.Text($"#{i + 1}: {data.Labels![i]}") : ChartStyle.Text($"#{i + 1}")))
            .ToList();
    }

    /// <summary>Draws <see cref="SampleTiles"/> as a PNG titled with the data's name.</summary>
    public static byte[] Samples(DigitDataset data, int count, bool labels, string dataName)
    {
        var tiles = SampleTiles(data, count, labels);
        var what = labels && data.Labels is not null ? "with their labels" : "as they are";
        return DigitGrid.Render(tiles, ChartStyle.Text($"The first {tiles.Count:N0} digits of {dataName}, {what}"),
            ChartStyle.Text($"{data.Count:N0} images in {Path.GetFileName(data.Source)}"));
    }

    /// <summary>
    /// The first <paramref name="count"/> digits with the predicted digit and its probability; when the data
    /// has labels, right answers are marked green and wrong ones red with the true digit.
    /// </summary>
    public static IReadOnlyList<DigitTile> PredictionTiles(DigitDataset data, PredictionSet predictions, int count)
    {
        CheckCount(count);
        if (predictions.Count != data.Count)
            throw new ArgumentException($"{predictions.Count} predictions for {data.Count} images.", nameof(predictions));
        return Enumerable.Range(0, Math.Min(count, data.Count)).Select(i =>
        {
            var answer = ChartStyle.Text($"#{i + 1} → {predictions.Labels[i]}\n{Percent(predictions.Confidence(i))}");
            if (data.Labels is null)
                return new DigitTile(Pixels(data, i), answer);
            return data.Labels[i] == predictions.Labels[i]
                ? new DigitTile(Pixels(data, i), answer, TileTone.Right)
                : new DigitTile(Pixels(data, i), ChartStyle.Text($"{answer}\ntrue {data.Labels[i]}"), TileTone.Wrong);
        }).ToList();
    }

    /// <summary>Draws <see cref="PredictionTiles"/> as a PNG titled with the model's and the data's names.</summary>
    public static byte[] Predictions(DigitDataset data, PredictionSet predictions, int count, string modelName, string dataName)
    {
        var tiles = PredictionTiles(data, predictions, count);
        var key = data.Labels is null
            ? "under each digit: #image → predicted digit and its probability"
            : "#image → predicted digit and its probability; green: right, red: wrong (with the true digit)";
        return DigitGrid.Render(tiles, ChartStyle.Text($"{modelName} on the first {tiles.Count:N0} digits of {dataName}"), key);
    }

    /// <summary>Tiles of <paramref name="mistakes"/> (see <see cref="EvaluationResult.Mistakes"/>): "true t → p" over "confidence · #n".</summary>
    public static IReadOnlyList<DigitTile> MistakeTiles(DigitDataset data, IReadOnlyList<Mistake> mistakes) =>
        mistakes.Select(m => new DigitTile(Pixels(data, m.Index),
                ChartStyle.Text($"true {m.Truth} → {m.Predicted}\n{Percent(m.Confidence)} · #{m.Index + 1}"), TileTone.Wrong))
            .ToList();

    /// <summary>Draws <see cref="MistakeTiles"/> as a PNG, eight to a row; <paramref name="subtitle"/> names the model and the data.</summary>
    /// <param name="allMistakes">How many mistakes there were in all, for the title.</param>
    public static byte[] Mistakes(DigitDataset data, IReadOnlyList<Mistake> mistakes, int allMistakes, string subtitle) =>
        DigitGrid.Render(MistakeTiles(data, mistakes),
            ChartStyle.Text($"The {mistakes.Count:N0} most confident mistakes (of {allMistakes:N0}): true digit → answer, its probability, image #"),
            subtitle, new DigitGridOptions { Scale = 4, Columns = 8 });

    private static ReadOnlyMemory<float> Pixels(DigitDataset data, int index) =>
        data.Pixels.AsMemory(index * DigitImage.PixelCount, DigitImage.PixelCount);

    // One decimal: a mistake made with 99.7% is worth telling apart from one made with 95%.
    private static string Percent(float share) => ChartStyle.Text($"{share * 100:F1}%");

    private static void CheckCount(int count)
    {
        if (count < 1) throw new ArgumentException($"The number of digits to draw must be at least 1 (got {count}).");
    }
}
