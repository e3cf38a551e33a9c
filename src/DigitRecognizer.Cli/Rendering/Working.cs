using Spectre.Console;

namespace DigitRecognizer.Cli.Rendering;

/// <summary>Shows that long work is under way: a spinner or a progress bar on a terminal, nothing in logs and tests.</summary>
internal static class Working
{
    /// <summary>Runs <paramref name="work"/> under a spinner labelled <paramref name="description"/>.</summary>
    public static T Status<T>(IAnsiConsole console, string description, Func<T> work) =>
        console.Profile.Capabilities.Interactive
            ? console.Status().Start(Markup.Escape(description), _ => work())
            : work();

    /// <summary>
    /// Runs <paramref name="work"/>, which reports how many of <paramref name="total"/> images it has done,
    /// under a progress bar labelled <paramref name="description"/>.
    /// </summary>
    public static T Progress<T>(IAnsiConsole console, string description, int total, Func<IProgress<int>?, T> work)
    {
        if (!console.Profile.Capabilities.Interactive)
            return work(null);
        return console.Progress()
            .Columns(new TaskDescriptionColumn(), new ProgressBarColumn(), new PercentageColumn(), new RemainingTimeColumn())
            .Start(context =>
            {
                var task = context.AddTask(Markup.Escape(description), maxValue: Math.Max(1, total));
                return work(new SyncProgress<int>(done => task.Value = done));
            });
    }
}
