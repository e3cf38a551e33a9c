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
    [InlineData(26, 26)]
    [InlineData(7, 5)]
    public void MaxPool2x2_AtInference_GivesExactlyWhatMaxPool2dGives(int height, int width)
    {
        TorchRuntime.EnsureLoaded();
        torch.manual_seed(3);
        using var input = torch.randn(4, 3, height, width);
        using var pool = new MaxPool2x2();
        pool.eval();

        using var pooled = pool.forward(input);
        using var expected = torch.nn.functional.max_pool2d(input, kernel_size: 2);

        Assert.Equal(expected.shape, pooled.shape);
        Assert.True(pooled.eq(expected).all().item<bool>(), "every window gives the same maximum");
    }

    // The module pools before its first ReLU and pools by strided views at inference, for speed; both must
    // leave the notebook's function unchanged: Conv → ReLU → MaxPool → Conv → ReLU → Dense → ReLU → Dense.
    [Fact]
    public void Cnn_ComputesTheNotebooksFunction_InTheNotebooksOrder()
    {
        TorchRuntime.EnsureLoaded();
        torch.manual_seed(5);
        using var model = ModelFactory.Get("cnn").Create();
        model.eval();
        using var images = torch.rand(6, 1, 28, 28);
        var p = model.named_parameters().ToDictionary(n => n.name, n => n.parameter);

        using var logits = model.forward(images);
        var x = torch.nn.functional.conv2d(images, p["conv1.weight"], p["conv1.bias"]);
        x = torch.nn.functional.relu(x);
        x = torch.nn.functional.max_pool2d(x, kernel_size: 2);
        x = torch.nn.functional.conv2d(x, p["conv2.weight"], p["conv2.bias"]);
        x = torch.nn.functional.relu(x);
        x = x.flatten(1);
        x = torch.nn.functional.linear(x, p["hidden.weight"], p["hidden.bias"]);
        x = torch.nn.functional.relu(x);
        using var expected = torch.nn.functional.linear(x, p["output.weight"], p["output.bias"]);

        Assert.True(logits.allclose(expected, rtol: 1e-5, atol: 1e-6), "same logits as the notebook's layer order");
    }

    [Fact]
    public void MaxPool2x2_WhileTraining_PassesTheGradientToEachWindowsMaximum()
    {
        TorchRuntime.EnsureLoaded();
        using var input = torch.tensor(new float[] { 1, 5, 2, 0, 3, 4, 8, 6, 0, 0, 0, 0, 9, 0, 0, 7 }).reshape(1, 1, 4, 4).requires_grad_();
        using var pool = new MaxPool2x2();
        pool.train();

        using var pooled = pool.forward(input);
        using var total = pooled.sum();
        total.backward();

        Assert.Equal(new float[] { 5, 8, 9, 7 }, pooled.flatten().data<float>().ToArray());
        Assert.Equal(new float[] { 0, 1, 0, 0, 0, 0, 1, 0, 0, 0, 0, 0, 1, 0, 0, 1 }, input.grad!.flatten().data<float>().ToArray());
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
