using static TorchSharp.torch;

namespace DigitRecognizer.Engine;

/// <summary>
/// Tensor operations outside a dispose scope, written so that no wrapper is left for the garbage collector while
/// libtorch still reads it.
/// </summary>
/// <remarks>
/// A TorchSharp <see cref="Tensor"/> frees its native handle in its finalizer, and an object whose method is
/// running may be collected as soon as that method has read its handle. In <c>x.detach().clone()</c> the detached
/// wrapper is such an object: a collection on another thread during <c>clone</c> frees the handle <c>clone</c> is
/// reading, and libtorch fails ("Could not run 'aten::copy_' with arguments from the … backend") or crashes. A
/// <c>using</c> keeps the wrapper referenced until the call has returned. Inside a dispose scope (<c>NewDisposeScope</c>) (the
/// training and prediction batches) the scope holds every wrapper, so code there needs none of this.
/// </remarks>
internal static class TensorCopies
{
    /// <summary>A copy of <paramref name="tensor"/>'s values that shares nothing with it and records no gradient.</summary>
    public static Tensor DetachedCopy(Tensor tensor)
    {
        using var detached = tensor.detach();
        return detached.clone();
    }
}
