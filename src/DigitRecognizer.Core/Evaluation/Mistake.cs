namespace DigitRecognizer.Evaluation;

/// <summary>One wrong answer of a model.</summary>
/// <param name="Index">The image's position in the data, from 0.</param>
/// <param name="Truth">The digit it shows.</param>
/// <param name="Predicted">The digit the model answered.</param>
/// <param name="Confidence">The probability the model gave its (wrong) answer, 0–1.</param>
public sealed record Mistake(int Index, int Truth, int Predicted, float Confidence);
