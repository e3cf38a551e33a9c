using static TorchSharp.torch;

namespace DigitRecognizer.Checkpoints;

/// <summary>
/// The weights part of a checkpoint: TorchSharp's <c>Module.save</c> stream, which is the number of entries
/// (LEB128), then each parameter and buffer as its name (a .NET length-prefixed string) and its tensor.
/// Reading goes by name, so a file whose names an older format used loads through a rename.
/// </summary>
internal static class CheckpointWeights
{
    /// <summary>Every parameter and buffer of <paramref name="model"/>, as <c>Module.save</c> writes them.</summary>
    public static byte[] Write(nn.Module model)
    {
        var stream = new MemoryStream();
        model.save(stream);
        // Module.save closes the stream; ToArray still works on a closed MemoryStream.
        return stream.ToArray();
    }

    /// <summary>
    /// Loads <paramref name="weights"/> into <paramref name="model"/>, which must have exactly the entries
    /// the file holds once each stored name is passed through <paramref name="currentName"/>.
    /// </summary>
    /// <exception cref="ArgumentException">An entry is missing, extra, repeated or of another shape or type.</exception>
    /// <exception cref="EndOfStreamException">The stream ends early.</exception>
    public static void Read(nn.Module model, byte[] weights, Func<string, string> currentName)
    {
        var state = model.state_dict();
        using var reader = new BinaryReader(new MemoryStream(weights, writable: false));
        var count = ReadLeb128(reader);
        if (count != state.Count)
            throw new ArgumentException($"it holds {count} parameters and buffers, the network has {state.Count}");
        var loaded = new HashSet<string>(StringComparer.Ordinal);
        for (var i = 0; i < count; i++)
        {
            var stored = reader.ReadString();
            var name = currentName(stored);
            if (!state.TryGetValue(name, out var tensor))
                throw new ArgumentException($"the network has no parameter or buffer '{name}'" + (name == stored ? "" : $" (stored as '{stored}')"));
            if (!loaded.Add(name))
                throw new ArgumentException($"'{name}' is stored twice");
            TorchSharp.TensorExtensionMethods.Load(tensor, reader, skip: false);
        }
        if (reader.BaseStream.Position != reader.BaseStream.Length)
            throw new ArgumentException($"{reader.BaseStream.Length - reader.BaseStream.Position} bytes follow the last tensor");
    }

    // Unsigned LEB128, as TorchSharp writes the entry count: 7 bits a byte, low bits first, high bit = more.
    private static long ReadLeb128(BinaryReader reader)
    {
        long value = 0;
        for (var shift = 0; shift < 64; shift += 7)
        {
            var b = reader.ReadByte();
            value |= (long)(b & 0x7F) << shift;
            if ((b & 0x80) == 0) return value;
        }
        throw new ArgumentException("the entry count is not a valid LEB128 number");
    }
}
