using TorchSharp;
using static TorchSharp.torch;

namespace DigitRecognizer.Training;

/// <summary>
/// An exponential moving average of a network's weights (Polyak averaging, as An et al. 2020 and Byerly et al. use
/// for MNIST): after every optimizer step, average ← d · average + (1 − d) · weights, batch-norm statistics
/// included. The average sits in a flatter, better-generalising spot than the last step's weights; when it is on,
/// validation reads the average and the best epoch's average is the model kept. No extra forward passes: one
/// multiply-add per weight per step.
/// </summary>
/// <remarks>
/// The decay used at update n is min(d, (1 + n) / (10 + n)), as TensorFlow's ExponentialMovingAverage does with
/// num_updates: early on, the average follows the weights instead of dragging the random initialisation along
/// for thousands of steps (which would ruin short runs).
/// </remarks>
internal sealed class WeightAverage : IDisposable
{
    private readonly double decay;
    private readonly (Tensor Average, Tensor Live)[] parameters;
    private readonly (Tensor Average, Tensor Live)[] buffers;

    /// <param name="model">The float32 network the optimizer updates.</param>
    /// <param name="create">Builds a fresh network of the same architecture and arguments, to hold the average.</param>
    /// <param name="decay">d, in (0, 1): 0.999 averages over about the last 1,000 steps.</param>
    /// <param name="statistics">
    /// The network whose batch-norm statistics are live while training: a low-precision copy's when it computes the
    /// steps (its statistics are float32, see <see cref="Models.ReducedPrecisionCopy"/>), else <paramref name="model"/>.
    /// </param>
    public WeightAverage(nn.Module<Tensor, Tensor> model, Func<nn.Module<Tensor, Tensor>> create, double decay, nn.Module statistics)
    {
        this.decay = decay;
        // Building a network draws initial weights from the global generator: restore it, so the run's random
        // stream (dropout) is the same with the average as without it.
        using (var generator = get_rng_state())
        {
            Module = create();
            set_rng_state(generator);
        }
        Module.eval();
        parameters = Module.parameters().Zip(model.parameters(), (a, l) => ((Tensor)a, (Tensor)l)).ToArray();
        buffers = Module.buffers().Zip(statistics.buffers(), (a, l) => (a, l)).ToArray();
        using var noGrad = no_grad();
        foreach (var (average, _) in parameters) average.requires_grad_(false);
        foreach (var (average, live) in parameters) average.copy_(live);
        foreach (var (average, live) in buffers) average.copy_(live);
    }

    /// <summary>The network holding the average (in eval mode: it is only read).</summary>
    public nn.Module<Tensor, Tensor> Module { get; }

    /// <summary>Updates made so far (part of the resume state: it sets the decay of the next update).</summary>
    public long Updates { get; set; }

    /// <summary>Moves the average towards the current weights; call after every optimizer step.</summary>
    public void Update()
    {
        var d = Math.Min(decay, (1.0 + Updates) / (10.0 + Updates));
        using var noGrad = no_grad();
        foreach (var (average, live) in parameters) average.mul_(d).add_(live, alpha: 1 - d);
        foreach (var (average, live) in buffers)
        {
            // Batch norm's step counter is an integer: it is copied, not averaged.
            if (average.is_floating_point()) average.mul_(d).add_(live.to(average.dtype), alpha: 1 - d);
            else average.copy_(live);
        }
        Updates++;
    }

    /// <summary>The average's parameters and buffers, as a TorchSharp Module.save stream.</summary>
    public byte[] Save()
    {
        using var stream = new MemoryStream();
        Module.save(stream);
        return stream.ToArray();
    }

    /// <summary>Loads what <see cref="Save"/> wrote, and the update count it was saved at.</summary>
    public void Restore(byte[] saved, long updates)
    {
        using var stream = new MemoryStream(saved, writable: false);
        Module.load(stream, strict: true);
        Module.eval();
        Updates = updates;
    }

    /// <inheritdoc />
    public void Dispose() => Module.Dispose();
}
