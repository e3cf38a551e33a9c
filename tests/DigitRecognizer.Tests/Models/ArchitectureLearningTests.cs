using DigitRecognizer.Engine;
using DigitRecognizer.Models;
using static TorchSharp.torch;

namespace DigitRecognizer.Tests.Models;

/// <summary>
/// Each architecture on its own, without the trainer: its forward and backward passes let a plain optimiser
/// fit one small batch. A layer that cuts the gradient (a detached tensor, a frozen parameter, a wrong loss
/// input) leaves the loss where it started.
/// </summary>
[Trait("Category", "Fast")]
public class ArchitectureLearningTests
{
    [Theory]
    [InlineData("dense")]
    [InlineData("cnn")]
    public void Architecture_HalvesItsLossFittingOneSmallBatch_InThirtyAdamSteps(string name)
    {
        TorchRuntime.Seed(3);
        var data = TestData.Synthetic(32);
        using var model = ModelFactory.Get(name).Create();
        using var optimizer = optim.Adam(model.parameters(), 1e-3);
        using var images = InputNormalization.UnitRange.ToInput(data.Pixels, 0, data.Count);
        using var labels = tensor(data.Labels!.Select(l => (long)l).ToArray());

        var losses = new List<float>();
        for (var step = 0; step < 30; step++)
        {
            using var scope = NewDisposeScope();
            optimizer.zero_grad();
            var loss = nn.functional.cross_entropy(model.forward(images), labels);
            loss.backward();
            optimizer.step();
            losses.Add(loss.item<float>());
        }

        Assert.True(losses[^1] < losses[0] * 0.5, $"loss went from {losses[0]} to {losses[^1]}");
    }
}
