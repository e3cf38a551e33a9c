namespace DigitRecognizer.Imaging;

/// <summary>Bytes that are not a usable image: not PNG/JPEG at all, truncated, or too large. The message says which.</summary>
public sealed class InvalidImageException(string message) : Exception(message);
