using TorchSharp;
using TorchSharp.Modules;
using static TorchSharp.torch;

namespace DigitRecognizer.Models;

/// <summary>Widths of <see cref="FastCnnModel"/>.</summary>
public sealed record FastCnnModelOptions
{
    /// <summary>Filters of the first convolution (5×5, stride 2: 28 → 14 px).</summary>
    public int Conv1Channels { get; init; } = 32;

    /// <summary>Filters of the second convolution (3×3, stride 2: 14 → 7 px).</summary>
    public int Conv2Channels { get; init; } = 48;

    /// <summary>Filters of the third convolution (3×3, stride 2: 7 → 4 px).</summary>
    public int Conv3Channels { get; init; } = 96;
}

/// <summary>
/// A CNN built for wall-clock speed on a CPU, for the <c>fast</c> recipe:
/// Conv 5×5/2 → BN → ReLU → Conv 3×3/2 → BN → ReLU → Conv 3×3/2 → BN → ReLU → Flatten → Dense 10.
/// Every convolution halves the image, so there is no max-pooling (libtorch's CPU max-pool is among the
/// slowest steps of the notebook's CNN) and the activations stay small: a quarter of the notebook CNN's
/// multiply-adds per image. Batch norm lets a one-cycle schedule use a high learning rate, so a few
/// epochs are enough.
/// </summary>
public sealed class FastCnnModel : nn.Module<Tensor, Tensor>
{
    /// <summary>The architecture's name on the command line and in checkpoints.</summary>
    public const string Name = "cnn-fast";

    private const int SideAfterConvolutions = 4;   // 28 → 14 → 7 → 4

    private readonly ConvBnRelu block1;
    private readonly ConvBnRelu block2;
    private readonly ConvBnRelu block3;
    private readonly Flatten flatten;
    private readonly Linear output;

    public FastCnnModel(FastCnnModelOptions options) : base(Name)
    {
        // The convolutions keep their biases (see ConvBnRelu): the same initial weights for a seed as ever.
        block1 = new ConvBnRelu(1, options.Conv1Channels, kernelSize: 5, stride: 2, padding: 2, bias: true);
        block2 = new ConvBnRelu(options.Conv1Channels, options.Conv2Channels, kernelSize: 3, stride: 2, padding: 1, bias: true);
        block3 = new ConvBnRelu(options.Conv2Channels, options.Conv3Channels, kernelSize: 3, stride: 2, padding: 1, bias: true);
        flatten = nn.Flatten();
        output = nn.Linear(options.Conv3Channels * SideAfterConvolutions * SideAfterConvolutions, DigitImage.ClassCount);
        RegisterComponents();
    }

    /// <param name="input">Images, N×1×28×28, normalised.</param>
    /// <returns>Class logits, N×10.</returns>
    public override Tensor forward(Tensor input)
    {
        var x = block1.forward(input);   // 28 → 14
        x = block2.forward(x);           // 14 → 7
        x = block3.forward(x);           // 7 → 4
        x = flatten.forward(x);
        return output.forward(x);
    }
}
