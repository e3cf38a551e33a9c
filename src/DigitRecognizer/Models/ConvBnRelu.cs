using TorchSharp;
using TorchSharp.Modules;
using static TorchSharp.torch;

namespace DigitRecognizer.Models;

/// <summary>
/// The block batch-normalised CNNs repeat: Conv2d → BatchNorm2d → ReLU. Its parameters are named
/// <c>conv.*</c> and <c>norm.*</c> (the fields <see cref="Conv"/> and <see cref="Norm"/>), and built in that
/// order, so a network made of these blocks draws the same initial weights from a seed as one that declares
/// the same convolutions and norms itself.
/// </summary>
public sealed class ConvBnRelu : nn.Module<Tensor, Tensor>
{
    private readonly Conv2d conv;
    private readonly BatchNorm2d norm;

    /// <param name="inChannels">Channels of the input.</param>
    /// <param name="outChannels">Filters of the convolution, and features of the batch norm.</param>
    /// <param name="kernelSize">Side of the square kernel.</param>
    /// <param name="stride">Step of the convolution (2 halves the image).</param>
    /// <param name="padding">Zeros added on every side.</param>
    /// <param name="bias">
    /// Whether the convolution adds a bias. Batch norm subtracts the mean straight after, so the bias does
    /// nothing useful and new networks leave it out; <see cref="CnnBnModel"/> and <see cref="FastCnnModel"/>
    /// keep theirs, because their seeds' initial weights (libtorch draws the bias) and their saved
    /// checkpoints include it.
    /// </param>
    public ConvBnRelu(long inChannels, long outChannels, long kernelSize, long stride = 1, long padding = 0, bool bias = false)
        : base(nameof(ConvBnRelu))
    {
        conv = nn.Conv2d(inChannels, outChannels, kernel_size: kernelSize, stride: stride, padding: padding, bias: bias);
        norm = nn.BatchNorm2d(outChannels);
        RegisterComponents();
    }

    /// <summary>The convolution (for exporters and tests; the block owns it).</summary>
    public Conv2d Conv => conv;

    /// <summary>The batch norm after the convolution (for exporters and tests; the block owns it).</summary>
    public BatchNorm2d Norm => norm;

    /// <param name="input">N×inChannels×H×W.</param>
    /// <returns>N×outChannels×H'×W', non-negative.</returns>
    public override Tensor forward(Tensor input)
    {
        var x = conv.forward(input);
        x = norm.forward(x);
        return nn.functional.relu(x);
    }
}
