using TorchSharp;
using TorchSharp.Modules;
using static TorchSharp.torch;

namespace DigitRecognizer.Models;

/// <summary>
/// A copy of a float32 network in a narrower type (bfloat16) that computes while the original keeps the
/// float32 weights: mixed-precision training pulls the weights in before each step and pushes the
/// gradients (and batch-norm statistics) back to the original, whose optimizer updates them in float32;
/// prediction uses the copy as it is.
/// </summary>
internal sealed class ReducedPrecisionCopy : IDisposable
{
    private readonly (Tensor Original, Tensor Copy)[] parameters;
    private readonly (Tensor Original, Tensor Copy)[] buffers;

    /// <param name="original">The float32 network.</param>
    /// <param name="create">Builds a fresh network of the same architecture and arguments.</param>
    /// <param name="type">The element type to compute in.</param>
    public ReducedPrecisionCopy(nn.Module<Tensor, Tensor> original, Func<nn.Module<Tensor, Tensor>> create, ScalarType type)
    {
        Type = type;
        // Building a network draws initial weights from the global generator; restore it, so dropout and the
        // rest of the run see the same random stream whatever the precision.
        using (var generator = get_rng_state())
        {
            Module = create();
            set_rng_state(generator);
        }
        Module.to(type);
        // Batch norm stays float32 (libtorch normalises narrow inputs with float32 statistics): its running
        // averages move by 10% of a batch's deviation per step, which bfloat16's 8-bit mantissa would round away.
        foreach (var normalization in Module.modules().Where(m => m is BatchNorm1d or BatchNorm2d)) normalization.to(ScalarType.Float32);
        parameters = original.parameters().Zip(Module.parameters(), (o, c) => ((Tensor)o, (Tensor)c)).ToArray();
        buffers = original.buffers().Zip(Module.buffers(), (o, c) => (o, c)).ToArray();
        using (no_grad())
        {
            foreach (var (from, to) in buffers) to.copy_(from);
        }
        CopyWeightsFromOriginal();
        if (original.training) Module.train(); else Module.eval();
    }

    /// <summary>The network in <see cref="Type"/>.</summary>
    public nn.Module<Tensor, Tensor> Module { get; }

    /// <summary>The element type the copy computes in.</summary>
    public ScalarType Type { get; }

    /// <summary>
    /// Rounds the original's current weights into the copy. Buffers are not copied: while training, the
    /// copy's running statistics are the live ones (see <see cref="CopyBuffersToOriginal"/>).
    /// </summary>
    public void CopyWeightsFromOriginal()
    {
        using var noGrad = no_grad();
        foreach (var (from, to) in parameters) to.copy_(from);
    }

    /// <summary>Gives the original the copy's gradients (widened to float32) and clears the copy's.</summary>
    public void MoveGradientsToOriginal()
    {
        foreach (var (to, from) in parameters)
        {
            if (from.grad is not { } gradient) continue;
            to.grad = gradient.to(to.dtype);
            from.grad = null;
        }
    }

    /// <summary>Copies buffers the copy updated while training (batch norm's running statistics) back to the original.</summary>
    public void CopyBuffersToOriginal()
    {
        using var noGrad = no_grad();
        foreach (var (to, from) in buffers) to.copy_(from);
    }

    /// <summary>Runs the copy on <paramref name="input"/> (any float type) and returns float32 outputs.</summary>
    public Tensor Forward(Tensor input) => Module.forward(input.to(Type)).to(ScalarType.Float32);

    /// <inheritdoc />
    public void Dispose() => Module.Dispose();
}
