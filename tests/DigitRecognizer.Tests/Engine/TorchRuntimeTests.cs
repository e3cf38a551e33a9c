using DigitRecognizer.Engine;
using TorchSharp;

namespace DigitRecognizer.Tests.Engine;

[Trait("Category", "Fast")]
public class TorchRuntimeTests
{
    [Fact]
    public void NativeEngine_LoadsAndRunsATensorOperation()
    {
        // Holds the temporaries until the end, so none is finalized while libtorch reads it (see Engine/TensorCopies.cs).
        using var scope = torch.NewDisposeScope();
        TorchRuntime.EnsureLoaded();

        using var a = torch.arange(6, dtype: torch.float32).reshape(2, 3);
        using var b = torch.ones(3, 2);
        using var product = a.matmul(b);

        Assert.Equal([2L, 2L], product.shape);
        Assert.Equal(new[] { 3f, 3f, 12f, 12f }, product.data<float>().ToArray());
    }

    [Fact]
    public void UseThreads_ZeroMeansOnePerCore()
    {
        var threads = TorchRuntime.UseThreads(0);

        Assert.Equal(Environment.ProcessorCount, threads);
        Assert.Equal(Environment.ProcessorCount, torch.get_num_threads());
    }
}
