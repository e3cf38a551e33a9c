using TorchSharp;
using TorchSharp.Modules;
using static TorchSharp.torch;

namespace DigitRecognizer.Models;

/// <summary>Channel and unit counts of <see cref="CnnModel"/>; the defaults are the notebook's.</summary>
public sealed record CnnModelOptions
{
    /// <summary>Filters in the first 3×3 convolution.</summary>
    public int Conv1Channels { get; init; } = 32;

    /// <summary>Filters in the second 3×3 convolution.</summary>
    public int Conv2Channels { get; init; } = 64;

    /// <summary>Units in the dense hidden layer.</summary>
    public int Hidden { get; init; } = 128;
}

/// <summary>
/// The notebook's small convolutional network:
/// Conv 32 3×3 ReLU → MaxPool 2×2 → Conv 64 3×3 ReLU → Flatten → Dense 128 ReLU → Dense 10.
/// Unpadded ("valid") convolutions as in Keras: 28 → 26 → 13 → 11, so the dense layer sees 64 × 11 × 11.
/// Returns logits; softmax is applied at prediction time.
/// </summary>
public sealed class CnnModel : nn.Module<Tensor, Tensor>
{
    /// <summary>The architecture's name on the command line and in checkpoints.</summary>
    public const string Name = "cnn";

    private const int SideAfterConvolutions = ((DigitImage.Side - 2) / 2) - 2;

    private readonly PooledConv3x3 conv1;
    private readonly Conv2d conv2;
    private readonly Flatten flatten;
    private readonly Linear hidden;
    private readonly Linear output;

    public CnnModel(CnnModelOptions options) : base(Name)
    {
        conv1 = new PooledConv3x3(1, options.Conv1Channels);
        conv2 = nn.Conv2d(options.Conv1Channels, options.Conv2Channels, kernel_size: 3);
        flatten = nn.Flatten();
        hidden = nn.Linear(options.Conv2Channels * SideAfterConvolutions * SideAfterConvolutions, options.Hidden);
        output = nn.Linear(options.Hidden, DigitImage.ClassCount);
        RegisterComponents();
    }

    /// <param name="input">Images, N×1×28×28, normalised.</param>
    /// <returns>Class logits, N×10.</returns>
    public override Tensor forward(Tensor input)
    {
        // Conv 3×3 and MaxPool 2×2 in one step (see PooledConv3x3). Pooling before the ReLU gives the same
        // numbers as after it (ReLU never changes which value is largest) on a quarter as many values.
        var x = conv1.forward(input);
        x = nn.functional.relu(x);
        x = conv2.forward(x);
        x = nn.functional.relu(x);
        x = flatten.forward(x);
        x = hidden.forward(x);
        x = nn.functional.relu(x);
        return output.forward(x);
    }
}
