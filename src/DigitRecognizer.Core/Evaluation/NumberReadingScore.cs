using DigitRecognizer.Reading;

namespace DigitRecognizer.Evaluation;

/// <summary>What went wrong with one pasted digit of a number that was not read exactly.</summary>
public enum DigitFault
{
    /// <summary>Its box was found and read, but as another digit.</summary>
    Misread,

    /// <summary>Its box was found, and the model refused to read it (reported unsure).</summary>
    Unsure,

    /// <summary>No box matched it: one box found covers it and a neighbour (touching digits not cut apart).</summary>
    MergedWithNeighbour,

    /// <summary>No box matched it: it was cut into two or more boxes.</summary>
    CutInTwo,

    /// <summary>No box matched it otherwise (left out as a mark, cut wrongly between neighbours, or not found).</summary>
    NotFound,
}

/// <summary>One number not read exactly: which it was, what came out, and what went wrong with each of its digits.</summary>
/// <param name="Index">Its place in the numbers measured.</param>
/// <param name="Faults">One entry per pasted digit that went wrong: its place in the number and what happened.</param>
public sealed record NumberReadingFailure(int Index, SyntheticNumber Number, NumberReading Reading, IReadOnlyList<(int Digit, DigitFault Fault)> Faults);

/// <summary>
/// How well a <see cref="NumberReader"/> reads numbers whose truth is known (<see cref="SyntheticNumbers"/>): the
/// share read exactly, with an unsure digit, digit by digit, and where each failure came from. A digit counts as found
/// when a box read has an intersection over union of at least <see cref="MatchingIoU"/> with its ink box.
/// </summary>
public sealed record NumberReadingScore
{
    /// <summary>Intersection over union with a pasted digit's ink box at or above which a box found is that digit.</summary>
    public const double MatchingIoU = 0.5;

    public required int Numbers { get; init; }

    /// <summary>Numbers whose text came out right: every digit found and read right, none unsure.</summary>
    public required int Exact { get; init; }

    /// <summary>Numbers with at least one digit reported unsure (or nothing readable).</summary>
    public required int WithUnsureDigit { get; init; }

    /// <summary>Numbers in which as many digits were found as were pasted.</summary>
    public required int RightDigitCount { get; init; }

    public required int Digits { get; init; }

    /// <summary>Pasted digits with a box found for them.</summary>
    public required int BoxesFound { get; init; }

    /// <summary>Pasted digits found, not unsure, and read as their label.</summary>
    public required int DigitsRight { get; init; }

    /// <summary>How many digits went wrong in each way.</summary>
    public required IReadOnlyDictionary<DigitFault, int> FaultCounts { get; init; }

    /// <summary>The numbers not read exactly, in the order measured.</summary>
    public required IReadOnlyList<NumberReadingFailure> Failures { get; init; }

    public double ExactShare => (double)Exact / Numbers;

    public double UnsureShare => (double)WithUnsureDigit / Numbers;

    public double RightDigitCountShare => (double)RightDigitCount / Numbers;

    public double BoxesFoundShare => (double)BoxesFound / Digits;

    public double DigitsRightShare => (double)DigitsRight / Digits;

    /// <summary>Reads every number with <paramref name="reader"/> and scores what came out.</summary>
    public static NumberReadingScore Measure(NumberReader reader, IEnumerable<SyntheticNumber> numbers,
        IProgress<int>? progress = null, CancellationToken cancellation = default)
    {
        int count = 0, exact = 0, unsure = 0, rightCount = 0, digits = 0, found = 0, right = 0;
        var faults = Enum.GetValues<DigitFault>().ToDictionary(f => f, _ => 0);
        var failures = new List<NumberReadingFailure>();
        foreach (var number in numbers)
        {
            cancellation.ThrowIfCancellationRequested();
            var reading = reader.Read(number.Encoded, cancellation);
            if (reading.Unsure) unsure++;
            if (reading.Digits.Count == number.Boxes.Count) rightCount++;
            var wrong = new List<(int, DigitFault)>();
            for (var i = 0; i < number.Boxes.Count; i++)
            {
                digits++;
                var fault = FaultOf(number, i, reading);
                if (fault is { } f)
                {
                    wrong.Add((i, f));
                    faults[f]++;
                    if (f is DigitFault.Misread or DigitFault.Unsure) found++;
                }
                else (found, right) = (found + 1, right + 1);
            }
            if (reading.Text == number.Text) exact++;
            else failures.Add(new NumberReadingFailure(count, number, reading, wrong));
            count++;
            progress?.Report(count);
        }
        return new NumberReadingScore
        {
            Numbers = count, Exact = exact, WithUnsureDigit = unsure, RightDigitCount = rightCount,
            Digits = digits, BoxesFound = found, DigitsRight = right, FaultCounts = faults, Failures = failures,
        };
    }

    /// <summary>What went wrong with pasted digit <paramref name="i"/> of <paramref name="number"/>, or null when it was read right.</summary>
    internal static DigitFault? FaultOf(SyntheticNumber number, int i, NumberReading reading)
    {
        var truth = number.Boxes[i];
        var match = reading.Digits.FirstOrDefault(d => d.Box.IntersectionOverUnion(truth) >= MatchingIoU);
        if (match is not null)
            return match.Unsure ? DigitFault.Unsure : match.Label == number.Text[i] - '0' ? null : DigitFault.Misread;
        // Share of a box's area inside another box.
        static double Within(PixelBox inner, PixelBox outer) => inner.Area == 0 ? 0 : (double)inner.IntersectionArea(outer) / inner.Area;
        var neighbours = number.Boxes.Where((_, j) => j != i).ToList();
        if (reading.Digits.Any(d => Within(truth, d.Box) >= 0.5 && neighbours.Any(n => Within(n, d.Box) >= 0.5)))
            return DigitFault.MergedWithNeighbour;
        if (reading.Digits.Count(d => Within(d.Box, truth) >= 0.5) >= 2) return DigitFault.CutInTwo;
        return DigitFault.NotFound;
    }
}
