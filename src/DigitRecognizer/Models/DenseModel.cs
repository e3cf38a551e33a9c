using TorchSharp;
using TorchSharp.Modules;
using static TorchSharp.torch;

namespace DigitRecognizer.Models;

/// <summary>Layer sizes of <see cref="DenseModel"/>; the defaults are the notebook's.</summary>
public sealed record DenseModelOptions
{
    /// <summary>Units in the first hidden layer.</summary>
    public int Hidden1 { get; init; } = 256;

    /// <summary>Units in the second hidden layer.</summary>
    public int Hidden2 { get; init; } = 128;
}

/// <summary>
/// The notebook's fully connected baseline: Flatten → Dense 256 ReLU → Dense 128 ReLU → Dense 10.
/// Returns logits; softmax is applied at prediction time.
/// </summary>
public sealed class DenseModel : nn.Module<Tensor, Tensor>
{
    /// <summary>The architecture's name on the command line and in checkpoints.</summary>
    public const string Name = "dense";

    private readonly Flatten flatten;
    private readonly Linear hidden1;
    private readonly Linear hidden2;
    private readonly Linear output;

    public DenseModel(DenseModelOptions options) : base(Name)
    {
        flatten = nn.Flatten();
        hidden1 = nn.Linear(DigitImage.PixelCount, options.Hidden1);
        hidden2 = nn.Linear(options.Hidden1, options.Hidden2);
        output = nn.Linear(options.Hidden2, DigitImage.ClassCount);
        RegisterComponents();
    }

    /// <param name="input">Images, N×1×28×28, normalised.</param>
    /// <returns>Class logits, N×10.</returns>
    public override Tensor forward(Tensor input)
    {
        var x = flatten.forward(input);
        x = hidden1.forward(x);
        x = nn.functional.relu(x);
        x = hidden2.forward(x);
        x = nn.functional.relu(x);
        return output.forward(x);
    }
}
