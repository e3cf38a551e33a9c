using DigitRecognizer.Checkpoints;
using DigitRecognizer.Engine;
using DigitRecognizer.Training;
using TorchSharp;
using static TorchSharp.torch;

namespace DigitRecognizer.Tests.Training;

public class PrecisionTests
{
    [Fact]
    public void Train_InBFloat16_LearnsAndKeepsFloat32Weights()
    {
        var data = TestData.Synthetic(600);

        using var classifier = Trainer.Train(data,
            new TrainingOptions { Model = "cnn", Epochs = 3, BatchSize = 32, Seed = 7, Precision = Precision.BFloat16 });

        var metrics = classifier.Metadata.Metrics;
        Assert.True(metrics.History[^1].TrainLoss < metrics.History[0].TrainLoss * 0.8,
            $"train loss {metrics.History[0].TrainLoss} → {metrics.History[^1].TrainLoss}");
        Assert.True(metrics.ValidationAccuracy > 0.9, $"validation accuracy {metrics.ValidationAccuracy}");
        Assert.All(classifier.Module.parameters(), p => Assert.Equal(ScalarType.Float32, p.dtype));
        Assert.Equal(Precision.BFloat16, classifier.Metadata.Training.Precision);
    }

    [Fact]
    public void Train_InBFloat16_WithTheSameSeedRepeatsExactly_AndDiffersFromFloat32()
    {
        var data = TestData.Synthetic(200);
        var options = new TrainingOptions { Model = "cnn", Epochs = 1, BatchSize = 32, Seed = 3, Threads = 1, Precision = Precision.BFloat16 };

        using var first = Trainer.Train(data, options);
        using var second = Trainer.Train(data, options);
        using var float32 = Trainer.Train(data, options with { Precision = Precision.Float32 });

        var probe = TestData.Synthetic(20, seed: 98);
        Assert.Equal(first.Predict(probe).Probabilities, second.Predict(probe).Probabilities);
        // …and the option is honoured: the same seed in float32 gives other weights.
        Assert.NotEqual(first.Predict(probe).Probabilities, float32.Predict(probe).Probabilities);
    }

    // Batch norm's running statistics are updated by the bfloat16 copy; validation and the saved model use
    // the float32 network, so they must come back to it (else prediction would normalise with mean 0, var 1).
    [Fact]
    public void Train_InBFloat16_BringsBatchNormStatisticsBackToTheSavedNetwork()
    {
        // Holds the temporaries until the end, so none is finalized while libtorch reads it (see Engine/TensorCopies.cs).
        using var scope = torch.NewDisposeScope();
        var data = TestData.Synthetic(600);
        var options = new TrainingOptions { Model = "cnn-bn", Epochs = 3, BatchSize = 32, Seed = 5, Augment = false };

        using var classifier = Trainer.Train(data, options with { Precision = Precision.BFloat16 });
        using var reference = Trainer.Train(data, options);

        var runningMeans = classifier.Module.named_buffers().Where(b => b.name.EndsWith("running_mean", StringComparison.Ordinal)).ToList();
        Assert.NotEmpty(runningMeans);
        Assert.All(runningMeans, b => Assert.True(b.buffer.abs().sum().item<float>() > 0, $"{b.name} is still all zeros"));
        var (reduced, exact) = (classifier.Metadata.Metrics.ValidationAccuracy!.Value, reference.Metadata.Metrics.ValidationAccuracy!.Value);
        Assert.True(reduced >= exact - 0.05, $"validation accuracy {reduced} in bfloat16, {exact} in float32");
    }

    // bfloat16 keeps 8 bits of mantissa: a running average moving by 10% of a batch's deviation per step
    // would stall. The copy computes everything else in bfloat16 but keeps batch norm in float32.
    [Fact]
    public void ReducedPrecisionCopy_ComputesInBFloat16_ButKeepsBatchNormInFloat32()
    {
        TorchRuntime.EnsureLoaded();
        var architecture = DigitRecognizer.Models.ModelFactory.Get("cnn-bn");
        using var original = architecture.Create();
        original.train();

        using var copy = new DigitRecognizer.Models.ReducedPrecisionCopy(original, () => architecture.Create(), ScalarType.BFloat16);
        using var logits = copy.Forward(torch.rand(8, 1, 28, 28));

        var parameters = copy.Module.named_parameters().ToList();
        Assert.Contains(parameters, p => p.name.Contains(".conv.", StringComparison.Ordinal) && p.parameter.dtype == ScalarType.BFloat16);
        var norms = parameters.Where(p => p.name.Contains(".norm.", StringComparison.Ordinal)).ToList();
        Assert.NotEmpty(norms);
        Assert.All(norms, p => Assert.Equal(ScalarType.Float32, p.parameter.dtype));
        Assert.All(copy.Module.named_buffers().Where(b => b.name.EndsWith("running_mean", StringComparison.Ordinal)),
            b => Assert.Equal(ScalarType.Float32, b.buffer.dtype));
        Assert.Equal(ScalarType.Float32, logits.dtype);
        Assert.Equal([8L, 10L], logits.shape);
    }

    [Fact]
    public void Predict_InBFloat16_GivesProbabilitiesCloseToFloat32s_AndLeavesTheSavedWeightsAlone()
    {
        var data = TestData.Synthetic(400);
        using var classifier = Trainer.Train(data, new TrainingOptions { Model = "cnn", Epochs = 2, BatchSize = 32, Seed = 9 });
        var probe = TestData.Synthetic(100, seed: 97);
        var path = Path.Combine(Path.GetTempPath(), $"digits-precision-{Guid.NewGuid():N}.ckpt");
        try
        {
            var exact = classifier.Predict(probe);
            classifier.Precision = Precision.BFloat16;
            var reduced = classifier.Predict(probe);
            Checkpoint.Save(classifier, path);
            classifier.Precision = Precision.Float32;
            var exactAgain = classifier.Predict(probe);
            using var reloaded = Checkpoint.Load(path);

            Assert.NotEqual(exact.Probabilities, reduced.Probabilities);
            for (var image = 0; image < probe.Count; image++)
            {
                var sum = reduced.Probabilities.AsSpan(image * 10, 10).ToArray().Sum();
                Assert.InRange(sum, 0.999f, 1.001f);
            }
            var largestDifference = exact.Probabilities.Zip(reduced.Probabilities, (a, b) => Math.Abs(a - b)).Max();
            Assert.True(largestDifference < 0.05, $"largest probability difference {largestDifference}");
            Assert.True(exact.Labels.Zip(reduced.Labels).Count(pair => pair.First == pair.Second) >= 97, "labels agree on ≥ 97 of 100 images");
            Assert.Equal(exact.Probabilities, exactAgain.Probabilities);
            Assert.Equal(exact.Probabilities, reloaded.Predict(probe).Probabilities);
        }
        finally
        {
            File.Delete(path);
        }
    }
}
