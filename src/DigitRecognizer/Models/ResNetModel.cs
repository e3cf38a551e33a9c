using TorchSharp;
using TorchSharp.Modules;
using static TorchSharp.torch;

namespace DigitRecognizer.Models;

/// <summary>Widths of <see cref="ResNetModel"/>'s three stages (28, 14 and 7 px) and its dropout.</summary>
public sealed record ResNetModelOptions
{
    /// <summary>Channels at 28×28.</summary>
    public int Stage1Channels { get; init; } = 16;

    /// <summary>Channels at 14×14.</summary>
    public int Stage2Channels { get; init; } = 32;

    /// <summary>Channels at 7×7.</summary>
    public int Stage3Channels { get; init; } = 64;

    /// <summary>Share of pooled features dropped before the classifier, while training.</summary>
    public double Dropout { get; init; } = 0.2;
}

/// <summary>
/// A small residual network: a 3×3 stem, then three stages of two basic residual blocks
/// (28×28, 14×14, 7×7; the first block of stages 2 and 3 halves the size with stride 2),
/// global average pooling, dropout and a dense layer. Sized for a CPU: ~30 MFLOP per image.
/// </summary>
public sealed class ResNetModel : nn.Module<Tensor, Tensor>
{
    /// <summary>The architecture's name on the command line and in checkpoints.</summary>
    public const string Name = "resnet";

    private readonly ConvBnRelu stem;
    private readonly ResidualBlock stage1a;
    private readonly ResidualBlock stage1b;
    private readonly ResidualBlock stage2a;
    private readonly ResidualBlock stage2b;
    private readonly ResidualBlock stage3a;
    private readonly ResidualBlock stage3b;
    private readonly AdaptiveAvgPool2d pool;
    private readonly Flatten flatten;
    private readonly Dropout dropout;
    private readonly Linear output;

    public ResNetModel(ResNetModelOptions options) : base(Name)
    {
        var (c1, c2, c3) = (options.Stage1Channels, options.Stage2Channels, options.Stage3Channels);
        stem = new ConvBnRelu(1, c1, kernelSize: 3, padding: 1);
        stage1a = new ResidualBlock(c1, c1, stride: 1);
        stage1b = new ResidualBlock(c1, c1, stride: 1);
        stage2a = new ResidualBlock(c1, c2, stride: 2);
        stage2b = new ResidualBlock(c2, c2, stride: 1);
        stage3a = new ResidualBlock(c2, c3, stride: 2);
        stage3b = new ResidualBlock(c3, c3, stride: 1);
        pool = nn.AdaptiveAvgPool2d(1);
        flatten = nn.Flatten();
        dropout = nn.Dropout(options.Dropout);
        output = nn.Linear(c3, DigitImage.ClassCount);
        RegisterComponents();
    }

    /// <param name="input">Images, N×1×28×28, normalised.</param>
    /// <returns>Class logits, N×10.</returns>
    public override Tensor forward(Tensor input)
    {
        var x = stem.forward(input);
        x = stage1a.forward(x);
        x = stage1b.forward(x);
        x = stage2a.forward(x);
        x = stage2b.forward(x);
        x = stage3a.forward(x);
        x = stage3b.forward(x);
        x = pool.forward(x);
        x = flatten.forward(x);
        x = dropout.forward(x);
        return output.forward(x);
    }

    /// <summary>
    /// conv 3×3 → BN → ReLU → conv 3×3 → BN, plus the input (through a strided 1×1 conv and BN when the
    /// shape changes), then ReLU.
    /// </summary>
    /// <summary>ConvBnRelu → Conv → BatchNorm, plus the input (through a 1×1 projection where the shape changes), → ReLU.</summary>
    internal sealed class ResidualBlock : nn.Module<Tensor, Tensor>
    {
        private readonly ConvBnRelu first;
        private readonly Conv2d conv2;
        private readonly BatchNorm2d norm2;
        private readonly Sequential? projection;

        public ResidualBlock(int inChannels, int outChannels, int stride) : base("block")
        {
            first = new ConvBnRelu(inChannels, outChannels, kernelSize: 3, stride: stride, padding: 1);
            conv2 = nn.Conv2d(outChannels, outChannels, kernel_size: 3, padding: 1, bias: false);
            norm2 = nn.BatchNorm2d(outChannels);
            if (stride != 1 || inChannels != outChannels)
                projection = nn.Sequential(
                    nn.Conv2d(inChannels, outChannels, kernel_size: 1, stride: stride, bias: false),
                    nn.BatchNorm2d(outChannels));
            RegisterComponents();
        }

        // The parts, for the ONNX exporter (the block owns them).
        internal ConvBnRelu First => first;
        internal Conv2d Conv2 => conv2;
        internal BatchNorm2d Norm2 => norm2;
        internal Sequential? Projection => projection;

        public override Tensor forward(Tensor input)
        {
            var x = first.forward(input);
            x = conv2.forward(x);
            x = norm2.forward(x);
            var shortcut = projection is null ? input : projection.forward(input);
            x = x.add(shortcut);
            return nn.functional.relu(x);
        }
    }
}
