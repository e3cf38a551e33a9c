using System.Text.Json;
using DigitRecognizer.Engine;
using DigitRecognizer.IO;
using TorchSharp;
using TorchSharp.Modules;
using static TorchSharp.torch;

namespace DigitRecognizer.Training;

/// <summary>
/// One network's training after a finished epoch, detached from the live objects: its loop state, the
/// weights, the best weights so far, the optimizer's moments and every random generator. Continuing from
/// it gives the network an uninterrupted run would have.
/// </summary>
internal sealed class NetworkSnapshot
{
    /// <summary>The options the network was trained with, as given to <see cref="Trainer"/>.</summary>
    public required TrainingOptions Options { get; init; }

    /// <summary>The loop's state; its <see cref="TrainingState.SecondsBefore"/> is the wall time up to this snapshot.</summary>
    public required TrainingState State { get; init; }

    /// <summary>The network's parameters and buffers (TorchSharp Module.save stream).</summary>
    public required byte[] Weights { get; init; }

    /// <summary>The best epoch's weights, in the network's state_dict order.</summary>
    public required byte[] BestWeights { get; init; }

    /// <summary>The optimizer's state (Adam's moments and step counts).</summary>
    public required byte[] Optimizer { get; init; }

    /// <summary>The weight average (see <see cref="WeightAverage"/>), when the run keeps one.</summary>
    public byte[]? AverageWeights { get; init; }

    /// <summary>libtorch's global generator (dropout draws from it).</summary>
    public required byte[] Random { get; init; }

    /// <summary>The augmenter's generator, when the run distorts its images.</summary>
    public byte[]? AugmentationRandom { get; init; }

    /// <summary>Captures the live training of one network.</summary>
    public static NetworkSnapshot Capture(TrainingOptions options, TrainingState state, double seconds, nn.Module model,
        optim.Optimizer optimizer, BatchAugmenter? augmenter, WeightAverage? average)
    {
        var copy = JsonSerializer.Deserialize<TrainingState>(JsonSerializer.SerializeToUtf8Bytes(state, JsonFormat.Options), JsonFormat.Options)!;
        copy.SecondsBefore = seconds;
        copy.WeightAverageUpdates = average?.Updates ?? 0;
        using var random = get_rng_state();
        return new NetworkSnapshot
        {
            Options = options,
            State = copy,
            Weights = Write(writer => model.save(writer)),
            BestWeights = Write(writer =>
            {
                writer.Write(state.BestWeights!.Count);
                foreach (var (name, tensor) in state.BestWeights)
                {
                    writer.Write(name);
                    tensor.Save(writer);
                }
            }),
            Optimizer = Write(writer => ((OptimizerHelper)optimizer).save_state_dict(writer)),
            AverageWeights = average?.Save(),
            Random = random.data<byte>().ToArray(),
            AugmentationRandom = augmenter?.RandomState,
        };
    }

    /// <summary>Loads the weights into <paramref name="model"/> (before its optimizer is built).</summary>
    public void RestoreWeights(nn.Module model)
    {
        using var stream = new MemoryStream(Weights, writable: false);
        using var reader = new BinaryReader(stream);
        model.load(reader, strict: true);
    }

    /// <summary>
    /// Gives <paramref name="state"/> the best weights, the optimizer its moments, and the generators their
    /// states. Call last, once everything that draws at construction (the network, a low-precision copy) is built.
    /// </summary>
    public void Restore(TrainingState state, nn.Module model, optim.Optimizer optimizer, BatchAugmenter? augmenter, WeightAverage? average)
    {
        using (var stream = new MemoryStream(BestWeights, writable: false))
        using (var reader = new BinaryReader(stream))
        {
            var shapes = model.state_dict();
            var best = new Dictionary<string, Tensor>();
            var count = reader.ReadInt32();
            for (var i = 0; i < count; i++)
            {
                var name = reader.ReadString();
                if (!shapes.TryGetValue(name, out var like)) throw new InvalidDataException($"best weights name '{name}', which the network does not have");
                var tensor = TensorCopies.DetachedCopy(like);
                tensor.Load(reader);
                best[name] = tensor;
            }
            state.SetBestWeights(best);
        }
        using (var stream = new MemoryStream(Optimizer, writable: false))
        using (var reader = new BinaryReader(stream))
        {
            ((OptimizerHelper)optimizer).load_state_dict(reader);
        }
        if (average is not null)
            average.Restore(AverageWeights ?? throw new InvalidDataException("no weight average"), state.WeightAverageUpdates);
        if (augmenter is not null) augmenter.RandomState = AugmentationRandom ?? throw new InvalidDataException("no augmentation generator state");
        using var random = tensor(Random, ScalarType.Byte);
        set_rng_state(random);
    }

    private static byte[] Write(Action<BinaryWriter> write)
    {
        using var stream = new MemoryStream();
        using (var writer = new BinaryWriter(stream, System.Text.Encoding.UTF8, leaveOpen: true)) write(writer);
        return stream.ToArray();
    }
}
