using TorchSharp;
using DigitRecognizer.Checkpoints;
using DigitRecognizer.Inference;
using DigitRecognizer.Training;
using DigitRecognizer.Visualization;

namespace DigitRecognizer.Tests.Training;

/// <summary>Runs stopped after an epoch and resumed end exactly where an uninterrupted run ends; bad states are refused.</summary>
public sealed class ResumeTests : IDisposable
{
    private readonly TempFolder folder = new();

    public void Dispose() => folder.Dispose();

    // cnn-bn has dropout (the global generator) and batch norm (buffers); augmentation has its own generator;
    // reduce-on-plateau and the cosine schedule have positions: a resume must restore all of them.
    private static readonly TrainingRunOptions Single = new()
    {
        Training = new TrainingOptions
        {
            Model = "cnn-bn", Epochs = 3, BatchSize = 25, Seed = 8, Threads = 1, Augment = true, PlateauPatience = 1, ValidationFraction = 0.2,
        },
    };

    private static readonly TrainingRunOptions Ensemble = new()
    {
        Training = new TrainingOptions { Epochs = 2, BatchSize = 25, Seed = 3, Threads = 1, Augment = true },
        Members = 2,
        Models = ["dense", "cnn-bn"],
    };

    [Theory]
    [InlineData(1)]
    [InlineData(2)]
    public void Resume_AfterAStopAtEpochK_GivesTheUninterruptedWeightsAndHistory(int stopAfter)
    {
        var data = TestData.Synthetic(100);
        using var expected = Train(new RunFolder(folder.File("whole")), data, Single);
        var stopped = new RunFolder(folder.File("stopped"));

        StopAfter(stopped, data, Single, report => report is EpochCompleted { Metrics.Epoch: var epoch } && epoch == stopAfter);
        using (var state = ResumeState.Read(stopped.ResumePath)) Assert.Equal(stopAfter, state.EpochsDone);
        using var resumed = Resume(stopped, data);

        AssertSameModel(expected.Classifier, resumed.Classifier);
        Assert.False(stopped.HasResumeState);
    }

    [Fact]
    public void ARunDeclaredWithoutATestFigure_LeavesTheTestSetUnread_AlsoWhenResumed()
    {
        var data = TestData.Synthetic(100);
        var testSet = TestData.Synthetic(40, seed: 9);
        var options = Single with { MeasureTestSet = false, KeepResumeState = true };
        var run = new RunFolder(folder.File("no-test"));

        using var first = TrainingRun.Run(run, data, options, testSet);
        using var resumed = TrainingRun.Resume(run, ResumeState.Read(run.ResumePath), data, testSet);
        using var measured = TrainingRun.Run(new RunFolder(folder.File("with-test")), data, Single, testSet);

        Assert.Null(first.Test);
        Assert.Null(resumed.Test);
        Assert.Null(resumed.Classifier.Metadata.Metrics.TestAccuracy);
        Assert.NotNull(measured.Test);
    }

    // Shown non-digits: those of each batch follow from the seed, epoch and batch alone, nothing about them is saved.
    // A weight average: it and its update count are part of the state, or a resumed run would restart the average.
    // Elastic distortion and random erasing: drawn from the augmentation's generator, whose state is saved.
    [Theory]
    [InlineData(0.5, 0.0, 0.0, 0.0)]
    [InlineData(0.0, 0.9, 0.0, 0.0)]
    [InlineData(0.0, 0.0, 34.0, 0.0)]
    [InlineData(0.0, 0.0, 0.0, 0.5)]
    public void Resume_OfARunShownNonDigits_KeepingAWeightAverage_ElasticallyDistorted_OrErased_GivesTheUninterruptedModel(
        double nonDigitWeight, double averageDecay, double elastic, double erase)
    {
        var options = Single with
        {
            Training = Single.Training with
            {
                Epochs = 2, NonDigitWeight = nonDigitWeight, WeightAverageDecay = averageDecay,
                Augmentation = Single.Training.Augmentation with { ElasticAlpha = elastic, EraseProbability = erase },
            },
        };
        var data = TestData.Synthetic(100);
        using var expected = Train(new RunFolder(folder.File("whole")), data, options);
        var stopped = new RunFolder(folder.File("stopped"));

        StopAfter(stopped, data, options, report => report is EpochCompleted { Metrics.Epoch: 1 });
        using var resumed = Resume(stopped, data);

        AssertSameModel(expected.Classifier, resumed.Classifier);
    }

    [Fact]
    public void Resume_OfAnEnsembleStoppedBetweenMembers_OrInsideTheSecond_GivesTheUninterruptedEnsemble()
    {
        var data = TestData.Synthetic(100);
        using var expected = Train(new RunFolder(folder.File("whole")), data, Ensemble);
        var stopped = new RunFolder(folder.File("stopped"));

        StopAfter(stopped, data, Ensemble, report => report is EnsembleMemberStarted { Member: 2 });
        using (var state = ResumeState.Read(stopped.ResumePath)) Assert.Equal((1, 0), (state.MembersDone, state.EpochsDone));
        StopAfter(stopped, data, Ensemble, report => report is EpochCompleted { Metrics.Epoch: 1 }, resume: true);
        using (var state = ResumeState.Read(stopped.ResumePath)) Assert.Equal((1, 1), (state.MembersDone, state.EpochsDone));
        using var resumed = Resume(stopped, data);

        AssertSameModel(expected.Classifier, resumed.Classifier);
    }

    [Fact]
    public void Resume_OfATimeBudgetedRun_CountsTheTimeAlreadySpent_AndKeepsItsPlan()
    {
        var data = TestData.Synthetic(100);
        // A budget too large to bind: the plan stays at 3 epochs, so the result must equal the uninterrupted run's.
        var options = Single with { Training = Single.Training with { TimeBudgetMinutes = 60 } };
        using var expected = TrainingRun.Run(new RunFolder(folder.File("whole")), data, options);
        var stopped = new RunFolder(folder.File("stopped"));
        StopAfter(stopped, data, options, report => report is EpochCompleted { Metrics.Epoch: 1 });
        double spent;
        using (var state = ResumeState.Read(stopped.ResumePath)) spent = state.SecondsSpent;

        using var resumed = Resume(stopped, data);

        Assert.True(spent > 0);
        Assert.True(resumed.Classifier.Metadata.Metrics.TrainingSeconds > spent, "the resumed run's time includes the first session's");
        Assert.Null(resumed.Classifier.Metadata.Metrics.StoppedEarly);
        AssertSameModel(expected.Classifier, resumed.Classifier);
    }

    [Fact]
    public void Run_IntoAFolderHoldingAResumeState_IsRefused_UnlessRestarting()
    {
        var data = TestData.Synthetic(60);
        var run = new RunFolder(folder.File("run"));
        StopAfter(run, data, Single, report => report is EpochCompleted);

        var refused = Assert.Throws<ArgumentException>(() => TrainingRun.Run(run, data, Single));
        using var restarted = TrainingRun.Run(run, data, Single with { Restart = true }).Classifier;

        Assert.Contains($"continue it with `digits train --resume {run.Path}`, or start afresh with --restart", refused.Message);
        Assert.Equal(3, restarted.Metadata.Metrics.History.Count);
        Assert.False(run.HasResumeState);
    }

    [Fact]
    public void Resume_WithAnOptionThatChangesTheResult_IsRefusedNamingIt()
    {
        var run = new RunFolder(folder.File("run"));
        StopAfter(run, TestData.Synthetic(60), Single, report => report is EpochCompleted);
        using var state = ResumeState.Read(run.ResumePath);

        var epochs = Assert.Throws<ArgumentException>(() => state.CheckSameAs(Single with { Training = Single.Training with { Epochs = 5 } }));
        var threads = Assert.Throws<ArgumentException>(() => state.CheckSameAs(Single with { Training = Single.Training with { Threads = 2 } }));
        var members = Assert.Throws<ArgumentException>(() => state.CheckSameAs(Single with { Members = 2, Models = ["cnn-bn", "dense"] }));
        state.CheckSameAs(Single with { KeepResumeState = true });   // not result-changing

        Assert.Contains("started with epochs 3 (given 5)", epochs.Message);
        Assert.Contains("threads 1 (given 2)", threads.Message);
        Assert.Contains("ensemble size 1 (given 2)", members.Message);
    }

    [Fact]
    public void Resume_OnOtherData_IsRefused()
    {
        var run = new RunFolder(folder.File("run"));
        StopAfter(run, TestData.Synthetic(60), Single, report => report is EpochCompleted);
        using var state = ResumeState.Read(run.ResumePath);

        var error = Assert.Throws<ArgumentException>(() => TrainingRun.Resume(run, state, TestData.Synthetic(60, seed: 2)));

        Assert.Contains("is not the data the run", error.Message);
    }

    [Theory]
    [InlineData(0.5)]    // a flipped byte in the middle
    [InlineData(-1.0)]   // cut short
    public void Read_OfADamagedState_IsRefused(double where)
    {
        var run = new RunFolder(folder.File("run"));
        StopAfter(run, TestData.Synthetic(60), Single, report => report is EpochCompleted);
        var bytes = File.ReadAllBytes(run.ResumePath);
        if (where > 0) bytes[(int)(bytes.Length * where)] ^= 0x40;
        else bytes = bytes[..(bytes.Length - 100)];
        File.WriteAllBytes(run.ResumePath, bytes);

        var error = Assert.Throws<CheckpointException>(() => ResumeState.Read(run.ResumePath));

        Assert.Contains("damaged: its SHA-256 does not match", error.Message);
    }

    [Fact]
    public void KeepResumeState_LeavesTheFinishedRunsState()
    {
        var run = new RunFolder(folder.File("run"));
        using var result = TrainingRun.Run(run, TestData.Synthetic(60), Single with { Training = Single.Training with { Epochs = 1 }, KeepResumeState = true });

        using var state = ResumeState.Read(run.ResumePath);
        Assert.Equal(1, state.EpochsDone);
    }

    private static TrainingRunResult Train(RunFolder run, DigitRecognizer.Data.DigitDataset data, TrainingRunOptions options) =>
        TrainingRun.Run(run, data, options);

    private static TrainingRunResult Resume(RunFolder run, DigitRecognizer.Data.DigitDataset data)
    {
        var state = ResumeState.Read(run.ResumePath);
        return TrainingRun.Resume(run, state, data);
    }

    // Starts (or resumes) a run and stops it as Ctrl+C would, at the first batch after `when` is reported.
    private static void StopAfter(RunFolder run, DigitRecognizer.Data.DigitDataset data, TrainingRunOptions options, Func<TrainingProgress, bool> when,
        bool resume = false)
    {
        using var cancellation = new CancellationTokenSource();
        var progress = new SyncProgressOf(report => { if (when(report)) cancellation.Cancel(); });
        Assert.ThrowsAny<OperationCanceledException>(() =>
        {
            if (resume) using (TrainingRun.Resume(run, ResumeState.Read(run.ResumePath), data, progress: progress, cancellation: cancellation.Token).Classifier) { }
            else using (TrainingRun.Run(run, data, options, progress: progress, cancellation: cancellation.Token).Classifier) { }
        });
        Assert.True(run.HasResumeState);
    }

    /// <summary>
    /// The two models are the same bit for bit: every weight and buffer first (a failure names the first tensor that
    /// differs and by how much), then the training record, then the predictions they give, so that a failure tells
    /// training that went another way apart from prediction that did.
    /// </summary>
    internal static void AssertSameModel(DigitClassifier expected, DigitClassifier actual)
    {
        // Holds the temporaries until the end, so none is finalized while libtorch reads it (see Engine/TensorCopies.cs).
        using var scope = torch.NewDisposeScope();
        var weights = expected.Module.state_dict();
        var actualWeights = actual.Module.state_dict();
        Assert.Equal(weights.Keys.Order(), actualWeights.Keys.Order());
        foreach (var (name, tensor) in actualWeights)
        {
            var reference = weights[name];
            Assert.Equal(reference.shape, tensor.shape);
            if (!tensor.eq(reference).all().item<bool>())
            {
                using var difference = (tensor.to(torch.float64) - reference.to(torch.float64)).abs();
                Assert.Fail($"{name} differs: {difference.gt(0).sum().item<long>()} of {tensor.numel()} values, "
                    + $"by up to {difference.max().item<double>():G3}");
            }
        }
        Assert.Equal(WithoutTimings(expected.Metadata.Metrics), WithoutTimings(actual.Metadata.Metrics));
        var probe = TestData.Synthetic(30, seed: 77);
        Assert.Equal(expected.Predict(probe).Probabilities, actual.Predict(probe).Probabilities);
    }

    // What must repeat exactly: everything but wall times, throughput and dates.
    private static string WithoutTimings(TrainingSummary metrics) =>
        System.Text.Json.JsonSerializer.Serialize(metrics with
        {
            TrainingSeconds = 0,
            History = metrics.History.Select(m => m with { Seconds = 0, ImagesPerSecond = 0 }).ToList(),
            Members = metrics.Members?.Select(m => m with
            {
                TrainingSeconds = 0,
                History = m.History.Select(e => e with { Seconds = 0, ImagesPerSecond = 0 }).ToList(),
            }).ToList(),
        }, DigitRecognizer.IO.JsonFormat.Options);

    private sealed class SyncProgressOf(Action<TrainingProgress> report) : IProgress<TrainingProgress>
    {
        public void Report(TrainingProgress value) => report(value);
    }
}
