using System.Buffers.Binary;
using System.Diagnostics;
using System.Runtime.InteropServices;
using System.Security.Cryptography;
using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;
using DigitRecognizer.Checkpoints;
using DigitRecognizer.Data;
using DigitRecognizer.Engine;
using DigitRecognizer.Inference;
using DigitRecognizer.IO;
using DigitRecognizer.Models;

namespace DigitRecognizer.Training;

/// <summary>
/// The state an unfinished run continues from (<c>resume.state</c> in its folder), saved after every epoch
/// and every finished ensemble member: the job's options, which data it trains on, the finished members,
/// and the network under way with its optimizer and every random generator.
/// </summary>
/// <remarks>
/// Layout, integers little-endian: "DIGITRSM" (8 bytes), format version (int32), header length H (int64),
/// H bytes of UTF-8 JSON (options, data, progress, members' metadata, the loop's state), section count (int32),
/// then per section its name (BinaryWriter string), length L (int64) and L bytes, and a SHA-256 of everything
/// before it, so a damaged file is refused whole rather than half used. Written through <see cref="AtomicFile"/>:
/// a kill at any moment leaves the previous state or the new one.
/// </remarks>
public sealed class ResumeState : IDisposable
{
    /// <summary>The layout version this build writes and reads.</summary>
    public const int FormatVersion = 1;

    /// <summary>
    /// Test hook: when set to N, the N-th state this process writes stops half-way with SIGKILL, so tests can
    /// check that a kill during the write leaves the previous state intact.
    /// </summary>
    public const string KillDuringWriteVariable = "DIGITS_TEST_KILL_DURING_RESUME_WRITE";

    private static readonly byte[] Magic = "DIGITRSM"u8.ToArray();
    private const int HashLength = 32;
    private static int writes;

    private ResumeState(string path, TrainingRunOptions options, DataIdentity data, RunSnapshot snapshot)
    {
        Path = path;
        Options = options;
        Data = data;
        Snapshot = snapshot;
    }

    /// <summary>The file.</summary>
    public string Path { get; }

    /// <summary>The job as it was started (its data path included): a resumed run uses exactly these.</summary>
    public TrainingRunOptions Options { get; }

    /// <summary>Ensemble members finished (0 for a single network).</summary>
    public int MembersDone => Snapshot.Member;

    /// <summary>Epochs the network under way has finished (0 between members).</summary>
    public int EpochsDone => Snapshot.Network?.State.Epoch ?? 0;

    /// <summary>Wall time the run has spent so far, in seconds: what a time budget has used up.</summary>
    public double SecondsSpent => Snapshot.Seconds;

    internal DataIdentity Data { get; }

    internal RunSnapshot Snapshot { get; }

    // Set once a run has taken over the finished members and the network's state: they are then its to free.
    private bool taken;

    /// <summary>Hands the snapshot to the run that continues it (once); this state no longer frees its members.</summary>
    internal RunSnapshot Take()
    {
        if (taken) throw new InvalidOperationException($"{Path} has already been resumed.");
        taken = true;
        return Snapshot;
    }

    /// <summary>
    /// Refuses <paramref name="requested"/> when it would train another model than the recorded job: the
    /// message names the first option that differs and both values.
    /// </summary>
    /// <exception cref="ArgumentException">An option differs.</exception>
    public void CheckSameAs(TrainingRunOptions requested)
    {
        var differences = new List<string>();
        if (requested.Members != Options.Members) differences.Add($"ensemble size {Options.Members} (given {requested.Members})");
        if (!requested.Architectures.SequenceEqual(Options.Architectures))
            differences.Add($"models {string.Join(" ", Options.Architectures)} (given {string.Join(" ", requested.Architectures)})");
        var recorded = JsonSerializer.SerializeToNode(Options.Training, JsonFormat.Options)!.AsObject();
        var given = JsonSerializer.SerializeToNode(requested.Training, JsonFormat.Options)!.AsObject();
        foreach (var name in recorded.Select(p => p.Key).Union(given.Select(p => p.Key)))
        {
            if (name == "model") continue;   // compared as the architectures above
            if (!JsonNode.DeepEquals(recorded[name], given[name]))
                differences.Add($"{name} {Show(recorded[name])} (given {Show(given[name])})");
        }
        if (differences.Count > 0)
            throw new ArgumentException(
                $"{Path}: the run was started with {string.Join(", ", differences)}; resuming with other options would not give the model it would have given. " +
                "Resume without them (they are read from the state), or start afresh with --restart.");
    }

    /// <summary>Reads and verifies a resume state.</summary>
    /// <exception cref="CheckpointException">The file is missing, foreign, from another version, truncated or damaged.</exception>
    public static ResumeState Read(string path)
    {
        if (!File.Exists(path)) throw new CheckpointException(path, "no resume state here (it is written after the first finished epoch of `digits train`)");
        var bytes = File.ReadAllBytes(path);
        if (bytes.Length < Magic.Length || !bytes.AsSpan(0, Magic.Length).SequenceEqual(Magic))
            throw new CheckpointException(path, "not a DigitRecognizer resume state (it does not start with \"DIGITRSM\")");
        if (bytes.Length < Magic.Length + 4 + 8 + 4 + HashLength)
            throw new CheckpointException(path, $"truncated: {bytes.Length} bytes is shorter than any resume state; start afresh with --restart");
        var body = bytes.AsSpan(0, bytes.Length - HashLength);
        if (!SHA256.HashData(body).AsSpan().SequenceEqual(bytes.AsSpan(bytes.Length - HashLength)))
            throw new CheckpointException(path, "damaged: its SHA-256 does not match its content (truncated or changed since it was written); it is not used. Start afresh with --restart");
        var version = BinaryPrimitives.ReadInt32LittleEndian(bytes.AsSpan(Magic.Length));
        if (version != FormatVersion)
            throw new CheckpointException(path, $"written in resume format {version}, this version reads {FormatVersion}; start afresh with --restart");

        using var stream = new MemoryStream(bytes, 0, body.Length, writable: false);
        using var reader = new BinaryReader(stream, Encoding.UTF8);
        stream.Position = Magic.Length + 4;
        var header = JsonSerializer.Deserialize<Header>(reader.ReadBytes((int)reader.ReadInt64()), JsonFormat.Options)!;
        var sections = new Dictionary<string, byte[]>();
        var count = reader.ReadInt32();
        for (var i = 0; i < count; i++)
        {
            var name = reader.ReadString();
            sections[name] = reader.ReadBytes((int)reader.ReadInt64());
        }

        TorchRuntime.EnsureLoaded();
        var finished = new List<DigitClassifier>();
        try
        {
            for (var i = 0; i < header.Finished.Count; i++) finished.Add(LoadMember(header.Finished[i], sections[$"member-{i + 1}"]));
        }
        catch
        {
            foreach (var member in finished) member.Dispose();
            throw;
        }
        var network = header.Network is not { } n ? null : new NetworkSnapshot
        {
            Options = n.Options,
            State = n.State,
            Weights = sections["weights"],
            BestWeights = sections["best-weights"],
            Optimizer = sections["optimizer"],
            Random = sections["random"],
            AugmentationRandom = sections.GetValueOrDefault("augmentation-random"),
            AverageWeights = sections.GetValueOrDefault("average-weights"),
        };
        var snapshot = new RunSnapshot { Member = header.Member, Finished = finished, Network = network, Seconds = header.Seconds };
        return new ResumeState(path, header.Run, header.Data, snapshot);
    }

    /// <summary>Writes <paramref name="snapshot"/> of the job <paramref name="options"/> on <paramref name="data"/> to <paramref name="path"/>, atomically.</summary>
    internal static void Write(string path, TrainingRunOptions options, DataIdentity data, RunSnapshot snapshot)
    {
        var sections = new List<(string Name, byte[] Bytes)>();
        for (var i = 0; i < snapshot.Finished.Count; i++)
        {
            using var weights = new MemoryStream();
            snapshot.Finished[i].Module.save(weights);
            sections.Add(($"member-{i + 1}", weights.ToArray()));
        }
        if (snapshot.Network is { } network)
        {
            sections.Add(("weights", network.Weights));
            sections.Add(("best-weights", network.BestWeights));
            sections.Add(("optimizer", network.Optimizer));
            sections.Add(("random", network.Random));
            if (network.AugmentationRandom is { } augmentation) sections.Add(("augmentation-random", augmentation));
            if (network.AverageWeights is { } average) sections.Add(("average-weights", average));
        }
        var header = new Header
        {
            Run = options,
            Data = data,
            Member = snapshot.Member,
            Seconds = snapshot.Seconds,
            Finished = snapshot.Finished.Select(c => c.Metadata).ToList(),
            Network = snapshot.Network is { } n ? new NetworkHeader { Options = n.Options, State = n.State } : null,
        };

        using var body = new MemoryStream();
        using (var writer = new BinaryWriter(body, Encoding.UTF8, leaveOpen: true))
        {
            writer.Write(Magic);
            writer.Write(FormatVersion);
            var json = JsonSerializer.SerializeToUtf8Bytes(header, JsonFormat.Options);
            writer.Write((long)json.Length);
            writer.Write(json);
            writer.Write(sections.Count);
            foreach (var (name, bytes) in sections)
            {
                writer.Write(name);
                writer.Write((long)bytes.Length);
                writer.Write(bytes);
            }
        }
        var hash = SHA256.HashData(body.GetBuffer().AsSpan(0, (int)body.Length));
        var killAt = int.TryParse(Environment.GetEnvironmentVariable(KillDuringWriteVariable), out var n2) ? n2 : 0;
        var write = Interlocked.Increment(ref writes);
        AtomicFile.Write(path, stream =>
        {
            if (write == killAt)
            {
                stream.Write(body.GetBuffer(), 0, (int)body.Length / 2);
                stream.Flush();
                Process.GetCurrentProcess().Kill();   // SIGKILL on Linux: nothing after this line runs
            }
            stream.Write(body.GetBuffer(), 0, (int)body.Length);
            stream.Write(hash);
        });
    }

    /// <inheritdoc />
    public void Dispose()
    {
        if (taken) return;
        taken = true;
        foreach (var member in Snapshot.Finished) member.Dispose();
        Snapshot.Network?.State.Dispose();
    }

    private static DigitClassifier LoadMember(CheckpointMetadata metadata, byte[] weights)
    {
        var model = ModelFactory.Get(metadata.Architecture).Create(metadata.ArchitectureArguments);
        using var stream = new MemoryStream(weights, writable: false);
        model.load(stream, strict: true);
        model.eval();
        return new DigitClassifier(model, metadata.Normalization, metadata);
    }

    private static string Show(JsonNode? value) => value?.ToJsonString(JsonFormat.Options) ?? "null";

    private sealed record Header
    {
        public required TrainingRunOptions Run { get; init; }
        public required DataIdentity Data { get; init; }
        public required int Member { get; init; }
        public required double Seconds { get; init; }
        public required List<CheckpointMetadata> Finished { get; init; }
        public NetworkHeader? Network { get; init; }
    }

    private sealed record NetworkHeader
    {
        public required TrainingOptions Options { get; init; }
        public required TrainingState State { get; init; }
    }
}

/// <summary>Which data a run trains on: enough to refuse resuming it on other data.</summary>
/// <param name="Source">Where it was loaded from, for messages.</param>
/// <param name="Images">How many images it has.</param>
/// <param name="Sha256">SHA-256 of its pixels and labels, hex.</param>
internal sealed record DataIdentity(string Source, int Images, string Sha256)
{
    public static DataIdentity Of(DigitDataset data)
    {
        using var hash = IncrementalHash.CreateHash(HashAlgorithmName.SHA256);
        hash.AppendData(MemoryMarshal.AsBytes(data.Pixels.AsSpan()));
        if (data.Labels is { } labels) hash.AppendData(MemoryMarshal.AsBytes(labels.AsSpan()));
        return new DataIdentity(data.Source, data.Count, Convert.ToHexString(hash.GetHashAndReset()));
    }
}
