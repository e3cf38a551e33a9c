using DigitRecognizer.Cli.Commands;

namespace DigitRecognizer.Tests.Cli;

/// <summary>
/// Which model predict, evaluate, read, calibrate and serve use with no --model: the user's own runs/cnn, else a
/// shipped model (best before cnn, the current folder's models/ before the program's), else a clear error.
/// </summary>
[Trait("Category", "Fast")]
public sealed class DefaultModelTests : IDisposable
{
    private readonly TempFolder work = new();
    private readonly TempFolder program = new();
    private readonly List<string> said = [];

    public void Dispose()
    {
        work.Dispose();
        program.Dispose();
    }

    private string Resolve(string? path = null) =>
        DefaultModel.Resolve(path, said.Add, work.Path, [work.File("models"), program.File("models")]);

    private static string Touch(string path)
    {
        Directory.CreateDirectory(Path.GetDirectoryName(path)!);
        File.WriteAllBytes(path, []);
        return path;
    }

    [Fact]
    public void AGivenModel_IsUsedAsItIs_WithoutAWord()
    {
        Touch(Path.Combine(work.Path, "runs", "cnn", "model.ckpt"));

        Assert.Equal("elsewhere.onnx", Resolve("elsewhere.onnx"));
        Assert.Empty(said);
    }

    [Fact]
    public void TheUsersOwnRun_ComesBeforeTheShippedModels_AndIsNamed()
    {
        Touch(program.File(Path.Combine("models", "best.ckpt")));
        Touch(Path.Combine(work.Path, "runs", "cnn", "model.ckpt"));

        Assert.Equal(Path.Combine(work.Path, "runs", "cnn"), Resolve());
        Assert.Contains("your own runs", Assert.Single(said));
    }

    [Fact]
    public void WithoutARun_TheBestShippedModelIsUsed_AndItsPathSaid()
    {
        Touch(work.File(Path.Combine("models", "cnn.ckpt")));
        var best = Touch(program.File(Path.Combine("models", "best.ckpt")));

        Assert.Equal(best, Resolve());
        Assert.Contains($"using the shipped model {best}", Assert.Single(said));
    }

    [Fact]
    public void ModelsInTheCurrentFolder_ComeBeforeThoseBesideTheProgram()
    {
        var here = Touch(work.File(Path.Combine("models", "cnn.ckpt")));
        Touch(program.File(Path.Combine("models", "cnn.ckpt")));

        Assert.Equal(here, Resolve());
    }

    [Fact]
    public void WithNoModelAnywhere_TheErrorSaysWhereItLookedAndHowToGetOne()
    {
        Directory.CreateDirectory(Path.Combine(work.Path, "runs", "cnn")); // a run folder without a model is not a model

        var error = Assert.Throws<ArgumentException>(() => Resolve());

        Assert.Contains(Path.Combine(work.Path, "runs", "cnn", "model.ckpt"), error.Message);
        Assert.Contains(program.File("models"), error.Message);
        Assert.Contains("digits train", error.Message);
        Assert.Contains("--model PATH", error.Message);
        Assert.Empty(said);
    }
}
