using TorchSharp;
using TorchSharp.Modules;
using static TorchSharp.torch;

namespace DigitRecognizer.Models;

/// <summary>Widths of <see cref="M5Model"/>.</summary>
public sealed record M5ModelOptions
{
    /// <summary>Filters of the first 5×5 convolution (28 → 24 px).</summary>
    public int Conv1Channels { get; init; } = 32;

    /// <summary>Filters of the second (24 → 20 px).</summary>
    public int Conv2Channels { get; init; } = 64;

    /// <summary>Filters of the third (20 → 16 px).</summary>
    public int Conv3Channels { get; init; } = 96;

    /// <summary>Filters of the fourth (16 → 12 px).</summary>
    public int Conv4Channels { get; init; } = 128;

    /// <summary>Filters of the fifth (12 → 8 px), all of which the classifier reads.</summary>
    public int Conv5Channels { get; init; } = 160;

    /// <summary>
    /// Half of every width (16, 32, 48, 64, 80): a quarter of the multiply-adds (~35 M an image against 137 M, ~3× cnn-bn's),
    /// for budgets M5 does not fit (issue 16's "narrower variants").
    /// </summary>
    public static M5ModelOptions Half { get; } = new()
    {
        Conv1Channels = 16, Conv2Channels = 32, Conv3Channels = 48, Conv4Channels = 64, Conv5Channels = 80,
    };
}

/// <summary>
/// The "M5" network of An et al. (2020, "An Ensemble of Simple Convolutional Neural Network Models for MNIST Digit
/// Recognition", ansh941/MnistSimpleCNN): five 5×5 convolutions without padding, each → BN → ReLU, no pooling and
/// no dropout, so the image shrinks by 4 px per layer (28 → 8), then Flatten → Dense 10 over all 8×8×160 features.
/// Keeping every position to the end is what lets it separate the last confusable digits; the price is
/// ~137 M multiply-adds per image, about 11× <see cref="CnnBnModel"/>'s. Theirs ends with a batch norm of the
/// logits; here the logits are the dense layer's, as in the other architectures.
/// </summary>
public sealed class M5Model : nn.Module<Tensor, Tensor>
{
    /// <summary>The architecture's name on the command line and in checkpoints.</summary>
    public const string Name = "m5";

    /// <summary>The same network with <see cref="M5ModelOptions.Half"/> widths.</summary>
    public const string HalfName = "m5-half";

    private const int SideAfterConvolutions = 8;   // 28 − 5 × 4

    private readonly ConvBnRelu conv1;
    private readonly ConvBnRelu conv2;
    private readonly ConvBnRelu conv3;
    private readonly ConvBnRelu conv4;
    private readonly ConvBnRelu conv5;
    private readonly Flatten flatten;
    private readonly Linear output;

    /// <param name="options">Widths.</param>
    /// <param name="name">The architecture name it is built under (<see cref="Name"/> or <see cref="HalfName"/>).</param>
    public M5Model(M5ModelOptions options, string name = Name) : base(name)
    {
        conv1 = new ConvBnRelu(1, options.Conv1Channels, kernelSize: 5);                     // 28 → 24
        conv2 = new ConvBnRelu(options.Conv1Channels, options.Conv2Channels, kernelSize: 5); // 24 → 20
        conv3 = new ConvBnRelu(options.Conv2Channels, options.Conv3Channels, kernelSize: 5); // 20 → 16
        conv4 = new ConvBnRelu(options.Conv3Channels, options.Conv4Channels, kernelSize: 5); // 16 → 12
        conv5 = new ConvBnRelu(options.Conv4Channels, options.Conv5Channels, kernelSize: 5); // 12 → 8
        flatten = nn.Flatten();
        output = nn.Linear(options.Conv5Channels * SideAfterConvolutions * SideAfterConvolutions, DigitImage.ClassCount);
        RegisterComponents();
    }

    /// <param name="input">Images, N×1×28×28, normalised.</param>
    /// <returns>Class logits, N×10.</returns>
    public override Tensor forward(Tensor input)
    {
        var x = conv1.forward(input);   // 28 → 24
        x = conv2.forward(x);           // 24 → 20
        x = conv3.forward(x);           // 20 → 16
        x = conv4.forward(x);           // 16 → 12
        x = conv5.forward(x);           // 12 → 8
        x = flatten.forward(x);
        return output.forward(x);
    }
}
