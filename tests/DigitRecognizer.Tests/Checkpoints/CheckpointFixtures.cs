using System.Text.Json;
using System.Text.Json.Nodes;
using DigitRecognizer.Checkpoints;
using DigitRecognizer.Data;
using DigitRecognizer.Engine;
using DigitRecognizer.Inference;
using DigitRecognizer.IO;
using DigitRecognizer.Models;
using DigitRecognizer.Training;
using TorchSharp;
using static TorchSharp.torch;

namespace DigitRecognizer.Tests.Checkpoints;

/// <summary>
/// Small checkpoints kept in Fixtures/ (one per architecture, plus a mixed ensemble), each beside the
/// probabilities it gave when it was written, so a change of parameter names, metadata or layout that
/// breaks old files shows up as a failing test instead of as a user's model that no longer loads.
/// </summary>
internal static class CheckpointFixtures
{
    /// <summary>Images whose probabilities each fixture stores: the first 32 MNIST training images.</summary>
    public const int ProbeImages = 32;

    /// <summary>Threads used to write and to check the probabilities (results repeat only for one thread count).</summary>
    public const int Threads = 1;

    /// <summary>The fixtures, by file name without extension: what each holds and its (small) arguments.</summary>
    public static readonly (string Name, string Architecture, JsonObject Arguments)[] Networks =
    [
        ("dense", "dense", new JsonObject { ["hidden1"] = 8, ["hidden2"] = 8 }),
        ("cnn", "cnn", new JsonObject { ["conv1Channels"] = 4, ["conv2Channels"] = 4, ["hidden"] = 8 }),
        ("cnn-bn", "cnn-bn", new JsonObject { ["block1Channels"] = 4, ["block2Channels"] = 8, ["headChannels"] = 16 }),
        ("cnn-fast", "cnn-fast", new JsonObject { ["conv1Channels"] = 4, ["conv2Channels"] = 8, ["conv3Channels"] = 8 }),
        ("resnet", "resnet", new JsonObject { ["stage1Channels"] = 4, ["stage2Channels"] = 4, ["stage3Channels"] = 8 }),
    ];

    /// <summary>The ensemble fixture: these two of <see cref="Networks"/>, trained again as its members.</summary>
    public static readonly string[] EnsembleMembers = ["cnn-bn", "cnn-fast"];

    /// <summary>File name (without extension) of the ensemble fixture.</summary>
    public const string EnsembleName = "cnn-bn+cnn-fast";

    /// <summary>Every fixture name.</summary>
    public static IEnumerable<string> All => Networks.Select(n => n.Name).Append(EnsembleName);

    /// <summary>The folder holding the fixtures of checkpoint format <paramref name="format"/> in the test output.</summary>
    public static string Folder(int format) => Path.Combine(AppContext.BaseDirectory, "Fixtures", $"format{format}");

    /// <summary>The images whose probabilities are stored.</summary>
    public static DigitDataset Probe() => ProbeImagesOnce.Value;

    private static readonly Lazy<DigitDataset> ProbeImagesOnce = new(() =>
        MnistFiles.Load(TestData.MnistFolder, MnistSplit.Train).Take(ProbeImages));

    /// <summary>Probabilities as stored: float32, little-endian, image-major (32 × 10).</summary>
    public static float[] ReadProbabilities(string path)
    {
        var bytes = File.ReadAllBytes(path);
        var values = new float[bytes.Length / sizeof(float)];
        for (var i = 0; i < values.Length; i++)
            values[i] = System.Buffers.Binary.BinaryPrimitives.ReadSingleLittleEndian(bytes.AsSpan(i * sizeof(float)));
        return values;
    }

    /// <summary>
    /// Writes every fixture into <paramref name="folder"/>: each network trained for 8 Adam steps of 32
    /// images (MNIST training images 1,000–1,255) in training mode, so batch norm's running statistics and
    /// every weight differ from their initial values, then saved and run on <see cref="Probe"/>.
    /// </summary>
    public static void Write(string folder)
    {
        Directory.CreateDirectory(folder);
        var mnist = MnistFiles.Load(TestData.MnistFolder, MnistSplit.Train);
        var training = mnist.Select(Enumerable.Range(1000, 256).ToArray());
        var probe = mnist.Take(ProbeImages);
        TorchRuntime.EnsureLoaded();
        var threadsBefore = get_num_threads();
        TorchRuntime.UseThreads(Threads);
        try
        {
            var seed = 1;
            foreach (var (name, architecture, arguments) in Networks)
            {
                using var classifier = TrainTiny(architecture, arguments, training, seed++);
                Save(classifier, probe, folder, name);
            }

            var members = EnsembleMembers.Select(member =>
            {
                var (_, architecture, arguments) = Networks.Single(n => n.Name == member);
                return TrainTiny(architecture, arguments, training, seed++);
            }).ToList();
            var ensembleArguments = new EnsembleModelOptions
            {
                Members = members.Select(m => new EnsembleMember { Architecture = m.Architecture, Arguments = m.Metadata.ArchitectureArguments }).ToList(),
            };
            var ensemble = new EnsembleModel(members.Select(m => m.Module));
            var metadata = members[0].Metadata with
            {
                Architecture = "ensemble",
                ArchitectureArguments = JsonSerializer.SerializeToNode(ensembleArguments, JsonFormat.Options)!.AsObject(),
                Training = members[0].Metadata.Training with { Model = EnsembleName },
                Metrics = members[0].Metadata.Metrics with { Members = members.Select(m => m.Metadata.Metrics).ToList() },
            };
            using var whole = new DigitClassifier(ensemble, InputNormalization.UnitRange, metadata);
            Save(whole, probe, folder, EnsembleName);
        }
        finally
        {
            TorchRuntime.UseThreads(threadsBefore);
        }
    }

    private static void Save(DigitClassifier classifier, DigitDataset probe, string folder, string name)
    {
        Checkpoint.Save(classifier, Path.Combine(folder, name + ".ckpt"));
        var probabilities = classifier.Predict(probe).Probabilities;
        var bytes = new byte[probabilities.Length * sizeof(float)];
        for (var i = 0; i < probabilities.Length; i++)
            System.Buffers.Binary.BinaryPrimitives.WriteSingleLittleEndian(bytes.AsSpan(i * sizeof(float)), probabilities[i]);
        File.WriteAllBytes(Path.Combine(folder, name + ".probabilities.f32"), bytes);
    }

    private static DigitClassifier TrainTiny(string name, JsonObject smallArguments, DigitDataset training, int seed)
    {
        const int Steps = 8, BatchSize = 32;
        TorchRuntime.Seed(seed);
        var architecture = ModelFactory.Get(name);
        var arguments = architecture.DefaultArguments();
        foreach (var (key, value) in smallArguments) arguments[key] = value!.DeepClone();
        var model = architecture.Create(arguments);
        model.train();
        using (var optimizer = optim.Adam(model.parameters(), 3e-3))
        {
            for (var step = 0; step < Steps; step++)
            {
                using var scope = NewDisposeScope();
                var x = InputNormalization.UnitRange.ToInput(training.Pixels, step * BatchSize, BatchSize);
                var y = tensor(training.Labels!.Skip(step * BatchSize).Take(BatchSize).Select(l => (long)l).ToArray());
                optimizer.zero_grad();
                var loss = nn.functional.cross_entropy(model.forward(x), y);
                loss.backward();
                optimizer.step();
            }
        }
        var metadata = new CheckpointMetadata
        {
            Architecture = architecture.Name,
            ArchitectureArguments = arguments,
            Normalization = InputNormalization.UnitRange,
            Training = new TrainingOptions { Model = architecture.Name, Epochs = 1, BatchSize = BatchSize, LearningRate = 3e-3, Seed = seed, Threads = Threads, ValidationFraction = 0 },
            Metrics = new TrainingSummary
            {
                DataSource = "MNIST training images 1,000–1,255 (test fixture: 8 Adam steps)",
                TrainImages = Steps * BatchSize,
                ValidationImages = 0,
                BestEpoch = 1,
                TrainingSeconds = 0,
                Threads = Threads,
                History = [],
            },
        };
        return new DigitClassifier(model, InputNormalization.UnitRange, metadata);
    }
}
