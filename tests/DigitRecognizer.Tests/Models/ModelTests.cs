using DigitRecognizer.Engine;
using DigitRecognizer.Models;
using TorchSharp;

namespace DigitRecognizer.Tests.Models;

[Trait("Category", "Fast")]
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
    [InlineData(1, 28, 28)]
    [InlineData(3, 9, 8)]
    public void PooledConv3x3_GivesWhatConv2dThenMaxPool2dGive_ValuesAndGradients(int channels, int height, int width)
    {
        // Holds the temporaries until the end, so none is finalized while libtorch reads it (see Engine/TensorCopies.cs).
        using var scope = torch.NewDisposeScope();
        TorchRuntime.EnsureLoaded();
        torch.manual_seed(3);
        using var input = torch.randn(4, channels, height, width);
        using var pooledConv = new PooledConv3x3(channels, 5);
        var p = pooledConv.named_parameters().ToDictionary(n => n.name, n => n.parameter);
        using var weight = p["weight"].detach().clone().requires_grad_();
        using var bias = p["bias"].detach().clone().requires_grad_();
        using var upstream = torch.randn(4, 5, (height - 2) / 2, (width - 2) / 2);

        using var pooled = pooledConv.forward(input);
        pooled.backward([upstream]);
        using var expected = torch.nn.functional.max_pool2d(torch.nn.functional.conv2d(input, weight, bias), kernel_size: 2);
        expected.backward([upstream]);

        Assert.Equal(expected.shape, pooled.shape);
        Assert.True(pooled.allclose(expected, rtol: 1e-5, atol: 1e-6), "same pooled values");
        Assert.True(p["weight"].grad!.allclose(weight.grad!, rtol: 1e-4, atol: 1e-5), "same weight gradient");
        Assert.True(p["bias"].grad!.allclose(bias.grad!, rtol: 1e-4, atol: 1e-5), "same bias gradient");
    }

    // Where a window holds its maximum more than once, max_pool2d gives the whole gradient to the first
    // (row-major) position; the fused pooling must too, in the vectorised float32 pass (any width, so a
    // partial vector at the end) and in the tensor-operation rule other types take.
    [Theory]
    [InlineData(torch.ScalarType.Float32, 37)]
    [InlineData(torch.ScalarType.Float64, 5)]
    public void FirstMaxOfFour_GivesTiesGradientToTheFirstPlane_AsMaxPool2dDoes(torch.ScalarType type, int width)
    {
        // Holds the temporaries until the end, so none is finalized while libtorch reads it (see Engine/TensorCopies.cs).
        using var scope = torch.NewDisposeScope();
        TorchRuntime.EnsureLoaded();
        torch.manual_seed(4);
        // Values from {0, 1, 2} make ties common.
        using var planes = torch.randint(0, 3, [3, 4, width]).to(type).requires_grad_();
        using var upstream = torch.rand(3, width, dtype: type);
        // As pooling windows: 4 planes = the 2×2 positions, row-major, of width windows in a row.
        using var windows = planes.detach().clone().view(3, 2, 2, width).permute(0, 3, 1, 2).reshape(3 * width, 1, 2, 2).requires_grad_();

        using var maximum = FirstMaxOfFour.apply(planes);
        maximum.backward([upstream]);
        using var expected = torch.nn.functional.max_pool2d(windows, kernel_size: 2);
        expected.backward([upstream.reshape(3 * width, 1, 1, 1)]);

        Assert.True(maximum.eq(expected.view(3, width)).all().item<bool>(), "same maxima");
        using var expectedGradient = windows.grad!.view(3, width, 2, 2).permute(0, 2, 3, 1).reshape(3, 4, width);
        Assert.True(planes.grad!.eq(expectedGradient).all().item<bool>(), "each window's gradient goes to its first maximum");
    }

    [Fact]
    public void Cnn_KeepsConv2dsParameterNamesAndInitialValues_SoCheckpointsStayCompatible()
    {
        // Holds the temporaries until the end, so none is finalized while libtorch reads it (see Engine/TensorCopies.cs).
        using var scope = torch.NewDisposeScope();
        TorchRuntime.EnsureLoaded();
        torch.manual_seed(11);
        using var model = ModelFactory.Get("cnn").Create();
        torch.manual_seed(11);
        using var reference = torch.nn.Conv2d(1, 32, kernel_size: 3);

        var p = model.named_parameters().ToDictionary(n => n.name, n => n.parameter);

        Assert.Equal(["conv1.weight", "conv1.bias", "conv2.weight", "conv2.bias", "hidden.weight", "hidden.bias", "output.weight", "output.bias"],
            model.named_parameters().Select(n => n.name));
        Assert.True(p["conv1.weight"].eq(reference.weight!).all().item<bool>(), "same initial weights for a seed");
        Assert.True(p["conv1.bias"].eq(reference.bias!).all().item<bool>(), "same initial bias for a seed");
    }

    // The module pools before its first ReLU and computes convolution and pooling as one step, for speed; both must
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
    // An et al.'s M5: five bias-free 5×5 convolutions (each with batch norm's scale and shift) and one dense layer on
    // all 160 × 8 × 8 positions; the count pins the widths, the kernels and the absence of padding (which would
    // leave more positions for the dense layer).
    [Fact]
    public void M5_HasFiveUnpaddedConvolutionsAndOneDenseLayerOverEveryPosition()
    {
        TorchRuntime.EnsureLoaded();
        using var model = ModelFactory.Get("m5").Create();
        model.eval();
        using var logits = model.forward(torch.zeros(2, 1, 28, 28));

        var count = model.parameters().Sum(p => p.numel());

        Assert.Equal([2L, 10L], logits.shape);
        Assert.Equal(25 * 1 * 32 + 2 * 32 + 25 * 32 * 64 + 2 * 64 + 25 * 64 * 96 + 2 * 96 + 25 * 96 * 128 + 2 * 128
                     + 25 * 128 * 160 + 2 * 160 + (160 * 8 * 8 * 10 + 10), count);
    }

    [Theory]
    [InlineData("dense")]
    [InlineData("cnn")]
    [InlineData("cnn-fast")]
    public void Forward_MapsImagesToTenLogitsEach(string name)
    {
        // Holds the temporaries until the end, so none is finalized while libtorch reads it (see Engine/TensorCopies.cs).
        using var scope = torch.NewDisposeScope();
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

    // m5-half is M5 at half every width; arguments a checkpoint leaves out take m5-half's defaults, not M5's.
    [Fact]
    public void M5Half_IsM5AtHalfTheWidths_AndMissingArgumentsTakeItsOwnDefaults()
    {
        TorchRuntime.EnsureLoaded();
        using var half = ModelFactory.Get("m5-half").Create();
        using var partial = ModelFactory.Get("m5-half").Create(new System.Text.Json.Nodes.JsonObject { ["conv5Channels"] = 40 });

        Assert.Equal(25 * 1 * 16 + 2 * 16 + 25 * 16 * 32 + 2 * 32 + 25 * 32 * 48 + 2 * 48 + 25 * 48 * 64 + 2 * 64
                     + 25 * 64 * 80 + 2 * 80 + (80 * 8 * 8 * 10 + 10), half.parameters().Sum(p => p.numel()));
        Assert.Equal(16, partial.state_dict()["conv1.conv.weight"].shape[0]);
        Assert.Equal(40, partial.state_dict()["conv5.conv.weight"].shape[0]);
        Assert.Equal(16, ModelFactory.Get("m5-half").DefaultArguments()["conv1Channels"]!.GetValue<int>());
    }

    [Fact]
    public void Create_UsesStoredArguments()
    {
        TorchRuntime.EnsureLoaded();
        var arguments = new System.Text.Json.Nodes.JsonObject { ["hidden1"] = 32, ["hidden2"] = 16 };

        using var model = ModelFactory.Get("dense").Create(arguments);

        Assert.Equal(784 * 32 + 32 + 32 * 16 + 16 + 16 * 10 + 10, model.parameters().Sum(p => p.numel()));
    }

    [Fact]
    public void Architectures_AreTheTrainableOnes_EachModuleNamedAsItsArchitecture()
    {
        TorchRuntime.EnsureLoaded();

        Assert.Equal(["dense", "cnn", "cnn-bn", "cnn-fast", "resnet", "m5", "m5-half"], ModelFactory.Names);
        foreach (var architecture in ModelFactory.Architectures)
        {
            using var model = architecture.Create();
            Assert.Equal(architecture.Name, model.GetName());
        }
    }

    [Fact]
    public void Get_RefusesTheEnsemble_WhichIsTrainedMemberByMember()
    {
        var error = Assert.Throws<ArgumentException>(() => ModelFactory.Get("ensemble"));

        Assert.Contains("--ensemble", error.Message);
        Assert.True(ModelFactory.IsKnown("ensemble"));
        Assert.False(ModelFactory.IsKnown("lenet9"));
    }

    [Fact]
    public void Create_BuildsAnEnsembleFromItsStoredMembers()
    {
        TorchRuntime.EnsureLoaded();
        var arguments = System.Text.Json.JsonSerializer.SerializeToNode(new EnsembleModelOptions
        {
            Members =
            [
                new EnsembleMember { Architecture = "dense", Arguments = new System.Text.Json.Nodes.JsonObject { ["hidden1"] = 8, ["hidden2"] = 8 } },
                new EnsembleMember { Architecture = "cnn-fast" },
            ],
        }, DigitRecognizer.IO.JsonFormat.Options)!.AsObject();

        using var model = ModelFactory.Create("ensemble", arguments);

        var ensemble = Assert.IsType<EnsembleModel>(model);
        Assert.Equal(["dense", "cnn-fast"], ensemble.Members.Select(m => m.GetName()));
        Assert.Equal(784 * 8 + 8 + 8 * 8 + 8 + 8 * 10 + 10, ensemble.Members[0].parameters().Sum(p => p.numel()));
    }

    [Fact]
    public void ConvBnRelu_IsConvThenBatchNormThenRelu()
    {
        TorchRuntime.EnsureLoaded();
        using var block = new ConvBnRelu(2, 3, kernelSize: 3, stride: 2, padding: 1);
        block.train();
        using var images = torch.randn(4, 2, 9, 9);

        using var output = block.forward(images);

        Assert.Null(block.Conv.bias);
        Assert.Equal(["conv.weight", "norm.weight", "norm.bias"], block.named_parameters().Select(p => p.name));
        using var expected = torch.nn.functional.relu(torch.nn.functional.batch_norm(
            torch.nn.functional.conv2d(images, block.Conv.weight!, null, strides: [2, 2], padding: [1, 1]),
            torch.zeros(3), torch.ones(3), block.Norm.weight, block.Norm.bias, training: true));
        Assert.Equal([4L, 3L, 5L, 5L], output.shape);
        Assert.True(output.allclose(expected, rtol: 1e-5, atol: 1e-6));
    }
}
