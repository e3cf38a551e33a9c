using static TorchSharp.torch;

namespace DigitRecognizer.Models;

/// <summary>
/// 2×2 max-pooling with stride 2 (as Keras' MaxPooling2D: an odd last row or column is dropped) that
/// picks the faster kernel for the mode it is in. While training it is libtorch's max_pool2d, whose
/// backward pass is the quickest way to route gradients. At inference it takes the maximum of the four
/// strided views of the input: the same numbers, without max_pool2d's NCHW CPU kernel, which is among the
/// slowest steps of the notebook's CNN (see README → Speed).
/// </summary>
public sealed class MaxPool2x2 : nn.Module<Tensor, Tensor>
{
    public MaxPool2x2() : base(nameof(MaxPool2x2))
    {
    }

    /// <param name="input">Feature maps, N×C×H×W.</param>
    /// <returns>N×C×⌊H/2⌋×⌊W/2⌋, each the largest of its 2×2 window.</returns>
    public override Tensor forward(Tensor input)
    {
        if (training) return nn.functional.max_pool2d(input, kernel_size: 2);

        var height = input.shape[2] / 2 * 2;
        var width = input.shape[3] / 2 * 2;
        using var evenRows = input.slice(2, 0, height, 2);
        using var oddRows = input.slice(2, 1, height, 2);
        using var topLeft = evenRows.slice(3, 0, width, 2);
        using var topRight = evenRows.slice(3, 1, width, 2);
        using var bottomLeft = oddRows.slice(3, 0, width, 2);
        using var bottomRight = oddRows.slice(3, 1, width, 2);
        using var top = topLeft.maximum(topRight);
        using var bottom = bottomLeft.maximum(bottomRight);
        return top.maximum(bottom);
    }
}
