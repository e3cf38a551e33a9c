using DigitRecognizer.Inference;

namespace DigitRecognizer.Evaluation;

/// <summary>
/// How far the networks of an ensemble share their mistakes. Averaging can only fix an image that most
/// networks get right; one that all of them get wrong stays wrong however many are averaged.
/// </summary>
/// <param name="Architectures">Each network's architecture name, in order.</param>
/// <param name="NetworkErrors">Images each network gets wrong on its own, in the same order.</param>
/// <param name="ImagesWrongIn">Entry n: images exactly n of the networks get wrong (n = 0 … count).</param>
/// <param name="Images">Images measured.</param>
public sealed record NetworkAgreement(
    IReadOnlyList<string> Architectures, IReadOnlyList<int> NetworkErrors, IReadOnlyList<int> ImagesWrongIn, int Images)
{
    /// <summary>Number of networks.</summary>
    public int Networks => NetworkErrors.Count;

    /// <summary>Images that every network gets wrong.</summary>
    public int WrongInAll => ImagesWrongIn[Networks];

    /// <summary>Compares each network's answers with <paramref name="truth"/>.</summary>
    /// <exception cref="ArgumentException">No networks, or predictions and labels of different lengths.</exception>
    public static NetworkAgreement Measure(IReadOnlyList<(string Architecture, PredictionSet Predictions)> networks, IReadOnlyList<int> truth)
    {
        if (networks.Count == 0) throw new ArgumentException("Agreement needs at least one network.", nameof(networks));
        foreach (var (architecture, predictions) in networks)
            if (predictions.Count != truth.Count)
                throw new ArgumentException($"{architecture} predicted {predictions.Count} images but there are {truth.Count} labels.", nameof(networks));

        var networkErrors = new int[networks.Count];
        var imagesWrongIn = new int[networks.Count + 1];
        for (var image = 0; image < truth.Count; image++)
        {
            var wrong = 0;
            for (var network = 0; network < networks.Count; network++)
            {
                if (networks[network].Predictions.Labels[image] == truth[image]) continue;
                networkErrors[network]++;
                wrong++;
            }
            imagesWrongIn[wrong]++;
        }
        return new NetworkAgreement(networks.Select(n => n.Architecture).ToList(), networkErrors, imagesWrongIn, truth.Count);
    }
}
