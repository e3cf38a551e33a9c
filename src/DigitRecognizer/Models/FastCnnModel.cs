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
    private const int SideAfterConvolutions = 4;   // 28 → 14 → 7 → 4

    private readonly Conv2d conv1;
    private readonly BatchNorm2d norm1;
    private readonly Conv2d conv2;
    private readonly BatchNorm2d norm2;
    private readonly Conv2d conv3;
    private readonly BatchNorm2d norm3;
    private readonly Flatten flatten;
    private readonly Linear output;

    public FastCnnModel(FastCnnModelOptions options) : base("cnn-fast")
    {
        conv1 = nn.Conv2d(1, options.Conv1Channels, kernel_size: 5, stride: 2, padding: 2);
        norm1 = nn.BatchNorm2d(options.Conv1Channels);
        conv2 = nn.Conv2d(options.Conv1Channels, options.Conv2Channels, kernel_size: 3, stride: 2, padding: 1);
        norm2 = nn.BatchNorm2d(options.Conv2Channels);
        conv3 = nn.Conv2d(options.Conv2Channels, options.Conv3Channels, kernel_size: 3, stride: 2, padding: 1);
        norm3 = nn.BatchNorm2d(options.Conv3Channels);
        flatten = nn.Flatten();
        output = nn.Linear(options.Conv3Channels * SideAfterConvolutions * SideAfterConvolutions, DigitImage.ClassCount);
        RegisterComponents();
    }

    /// <param name="input">Images, N×1×28×28, normalised.</param>
    /// <returns>Class logits, N×10.</returns>
    public override Tensor forward(Tensor input)
    {
        var x = conv1.forward(input);
        x = norm1.forward(x);
        x = nn.functional.relu(x);
        x = conv2.forward(x);
        x = norm2.forward(x);
        x = nn.functional.relu(x);
        x = conv3.forward(x);
        x = norm3.forward(x);
        x = nn.functional.relu(x);
        x = flatten.forward(x);
        return output.forward(x);
    }
}
