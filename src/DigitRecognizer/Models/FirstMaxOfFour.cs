using System.Numerics;
using static TorchSharp.torch;

namespace DigitRecognizer.Models;

/// <summary>
/// The maximum over dimension 1 (of size 4) of an N×4×M tensor, as max-pooling takes it: the gradient goes
/// to the first of the four that holds the maximum, exactly as libtorch's max_pool2d routes it.
/// Used by <see cref="PooledConv3x3"/>, whose four planes are the four positions of each pooling window.
/// </summary>
/// <remarks>
/// libtorch's own choices are slow here: amax's backward splits ties and takes several broadcasting passes,
/// argmax over a non-innermost dimension is ~50× slower than the maximum itself. For float32 the backward is
/// one vectorised pass over the saved input (bfloat16 and half are widened to float32 for it); float64 takes
/// the same rule in tensor operations.
/// </remarks>
internal sealed class FirstMaxOfFour : autograd.SingleTensorFunction<FirstMaxOfFour>
{
    public override string Name => nameof(FirstMaxOfFour);

    /// <param name="vars">One tensor, N×4×M.</param>
    public override Tensor forward(autograd.AutogradContext ctx, params object[] vars)
    {
        var input = (Tensor)vars[0];
        // bfloat16 and half are compared in float32 (exactly: widening keeps every value), so they take the fast pass too.
        var planes = (IsNarrowFloat(input.dtype) ? input.to(ScalarType.Float32) : input).contiguous();
        var maximum = planes.amax(1);
        ctx.save_for_backward([planes, maximum]);
        ctx.save_data("type", input.dtype);
        return maximum.to(input.dtype);
    }

    public override List<Tensor> backward(autograd.AutogradContext ctx, Tensor grad_output)
    {
        var saved = ctx.get_saved_variables();
        var (planes, maximum) = (saved[0], saved[1]);
        var gradient = grad_output.to(planes.dtype).contiguous();
        var routed = planes.dtype == ScalarType.Float32 ? RouteFloat32(planes, maximum, gradient) : Route(planes, maximum, gradient);
        return [routed.to((ScalarType)ctx.get_data("type"))];
    }

    private static bool IsNarrowFloat(ScalarType type) => type is ScalarType.BFloat16 or ScalarType.Float16;

    /// <summary>The rule in tensor operations: plane k gets the gradient where it holds the maximum and no earlier plane does.</summary>
    private static Tensor Route(Tensor planes, Tensor maximum, Tensor gradient)
    {
        var taken = zeros_like(maximum, dtype: ScalarType.Bool);
        var routed = new List<Tensor>(4);
        for (var plane = 0; plane < 4; plane++)
        {
            var wins = planes.select(1, plane).eq(maximum).logical_and_(taken.logical_not());
            routed.Add(where(wins, gradient, zeros_like(gradient)));
            taken = taken.logical_or(wins);
        }
        return stack(routed, 1);
    }

    // The same rule in one pass, a vector of values at a time, straight over libtorch's memory.
    private static unsafe Tensor RouteFloat32(Tensor planes, Tensor maximum, Tensor gradient)
    {
        var result = empty_like(planes);
        var (rows, width) = ((int)planes.shape[0], (int)planes.shape[2]);
        float* planeData = Data(planes), maximumData = Data(maximum), gradientData = Data(gradient), resultData = Data(result);
        var step = Vector<float>.Count;
        for (var row = 0; row < rows; row++)
        {
            var inputs = new ReadOnlySpan<float>(planeData + (long)row * 4 * width, 4 * width);
            var outputs = new Span<float>(resultData + (long)row * 4 * width, 4 * width);
            var maxima = new ReadOnlySpan<float>(maximumData + (long)row * width, width);
            var gradients = new ReadOnlySpan<float>(gradientData + (long)row * width, width);
            var column = 0;
            for (; column <= width - step; column += step)
            {
                var best = new Vector<float>(maxima[column..]);
                var grad = new Vector<float>(gradients[column..]);
                var taken = Vector<int>.Zero;
                for (var plane = 0; plane < 4; plane++)
                {
                    var wins = Vector.AndNot(Vector.Equals(new Vector<float>(inputs[(plane * width + column)..]), best), taken);
                    Vector.ConditionalSelect(wins, grad, Vector<float>.Zero).CopyTo(outputs[(plane * width + column)..]);
                    taken |= wins;
                }
            }
            for (; column < width; column++)
            {
                var taken = false;
                for (var plane = 0; plane < 4; plane++)
                {
                    var wins = !taken && inputs[plane * width + column] == maxima[column];
                    outputs[plane * width + column] = wins ? gradients[column] : 0f;
                    taken |= wins;
                }
            }
        }
        return result;
    }

    private static unsafe float* Data(Tensor contiguous) =>
        (float*)contiguous.storage<float>().data_ptr() + contiguous.storage_offset();
}
