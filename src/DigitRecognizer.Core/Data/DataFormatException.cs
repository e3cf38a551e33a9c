namespace DigitRecognizer.Data;

/// <summary>
/// Input that cannot be read as digits: the message names the file, the line (1-based, counting the
/// header) and, where it applies, the column (1-based), and says what was expected.
/// </summary>
public sealed class DataFormatException : Exception
{
    public DataFormatException(string path, long? line, int? column, string problem)
        : base(Describe(path, line, column, problem))
    {
        Path = path;
        Line = line;
        Column = column;
        Problem = problem;
    }

    /// <summary>The file at fault.</summary>
    public string Path { get; }

    /// <summary>1-based line number, or null when the problem is with the whole file.</summary>
    public long? Line { get; }

    /// <summary>1-based column number, or null when the problem is with the whole line or file.</summary>
    public int? Column { get; }

    /// <summary>What was wrong and what was expected, without the location.</summary>
    public string Problem { get; }

    private static string Describe(string path, long? line, int? column, string problem)
    {
        var where = path;
        if (line is not null) where += $", line {line}";
        if (column is not null) where += $", column {column}";
        return $"{where}: {problem}";
    }
}
