using DigitRecognizer.Engine;
using DigitRecognizer.Models;
using TorchSharp;

namespace DigitRecognizer.Tests.Models;

public class ModelTests
{
    // Parameter counts of the notebook's Keras models (model.summary()): the architectures must match exactly.
    [Theory]
    [InlineData("dense", 784 * 256 + 256 + 256 * 128 + 128 + 128 * 10 + 10)]
    [InlineData("cnn", (9 * 32 + 32) + (9 * 32 * 64 + 64) + (64 * 11 * 11 * 128 + 128) + (128 * 10 + 10))]
    public void Architecture_HasTheNotebooksParameterCount(string name, long expected)
    {
        TorchRuntime.EnsureLoaded();
        using var model = ModelFactory.Get(name).Create();

        var count = model.parameters().Sum(p => p.numel());

        Assert.Equal(expected, count);
    }

    // The fast recipe's CNN: three strided convolutions (each with batch norm's scale and shift) and one
    // dense layer on 96 × 4 × 4; a count off by one layer or width means the architecture changed.
    [Fact]
    public void FastCnn_HasThreeStridedConvolutionsAndOneDenseLayer()
    {
        TorchRuntime.EnsureLoaded();
        using var model = ModelFactory.Get("cnn-fast").Create();

        var count = model.parameters().Sum(p => p.numel());

        Assert.Equal((25 * 32 + 32) + 2 * 32 + (9 * 32 * 48 + 48) + 2 * 48 + (9 * 48 * 96 + 96) + 2 * 96 + (96 * 4 * 4 * 10 + 10), count);
    }

    [Theory]
    [InlineData("dense")]
    [InlineData("cnn")]
    [InlineData("cnn-fast")]
    public void Forward_MapsImagesToTenLogitsEach(string name)
    {
        TorchRuntime.EnsureLoaded();
        using var model = ModelFactory.Get(name).Create();
        using var images = torch.rand(5, 1, 28, 28);

        using var logits = model.forward(images);

        Assert.Equal([5L, 10L], logits.shape);
        Assert.True(logits.isfinite().all().item<bool>());
    }

    [Fact]
    public void Get_IsCaseInsensitiveAndRejectsUnknownNamesListingTheKnownOnes()
    {
        Assert.Equal("cnn", ModelFactory.Get("CNN").Name);

        var error = Assert.Throws<ArgumentException>(() => ModelFactory.Get("lenet9"));

        Assert.Contains("'lenet9'", error.Message);
        Assert.Contains("dense", error.Message);
        Assert.Contains("cnn", error.Message);
    }

    [Fact]
    public void Create_RejectsArgumentsTheArchitectureDoesNotHave()
    {
        var arguments = new System.Text.Json.Nodes.JsonObject { ["hidden1"] = 32, ["dropout"] = 0.5 };

        var error = Assert.Throws<ArgumentException>(() => ModelFactory.Get("dense").Create(arguments));

        Assert.Contains("dropout", error.Message);
    }

    [Fact]
    public void Create_UsesStoredArguments()
    {
        TorchRuntime.EnsureLoaded();
        var arguments = new System.Text.Json.Nodes.JsonObject { ["hidden1"] = 32, ["hidden2"] = 16 };

        using var model = ModelFactory.Get("dense").Create(arguments);

        Assert.Equal(784 * 32 + 32 + 32 * 16 + 16 + 16 * 10 + 10, model.parameters().Sum(p => p.numel()));
    }
}
