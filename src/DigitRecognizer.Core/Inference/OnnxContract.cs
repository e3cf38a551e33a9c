namespace DigitRecognizer.Inference;

/// <summary>
/// The fixed interface of every ONNX file DigitRecognizer exports, shared by the exporter and the reader:
/// one input <see cref="InputName"/>, float32 [N, 1, 28, 28], pixels 0..1 with 0 = background and 1 = ink
/// (MNIST's convention; the model's own normalisation is inside the graph); one output
/// <see cref="OutputName"/>, float32 [N, 10], softmax applied (an ensemble's members averaged); N dynamic.
/// </summary>
public static class OnnxContract
{
    /// <summary>Name of the graph's input.</summary>
    public const string InputName = "pixels";

    /// <summary>Name of the graph's output.</summary>
    public const string OutputName = "probabilities";

    /// <summary>Name of the dynamic batch dimension in both shapes.</summary>
    public const string BatchDimension = "N";

    /// <summary>The input convention in words, as the exported file states it in its metadata.</summary>
    public const string InputConvention =
        "pixels: float32 [N,1,28,28], 0 = background, 1 = ink (MNIST convention: white digit on black), " +
        "digit scaled into a 20x20 box and centred by its centre of mass in 28x28; normalisation is inside the graph";

    /// <summary>The output convention in words.</summary>
    public const string OutputConvention = "probabilities: float32 [N,10], softmax over the digits 0-9 (ensembles: members' mean)";

    /// <summary>Keys of the metadata properties the exporter writes (all values are strings; numbers invariant-culture).</summary>
    public static class Metadata
    {
        /// <summary>Architecture name ("cnn", "cnn-bn+resnet" for an ensemble, ...).</summary>
        public const string Architecture = "architecture";

        /// <summary>The architecture's arguments as JSON.</summary>
        public const string ArchitectureArguments = "architecture_arguments";

        /// <summary>Validation accuracy of the checkpoint, 0-1 (absent without validation).</summary>
        public const string ValidationAccuracy = "validation_accuracy";

        /// <summary>Validation loss of the checkpoint (absent without validation).</summary>
        public const string ValidationLoss = "validation_loss";

        /// <summary>Accuracy on a separate test set, 0-1, when the checkpoint recorded one.</summary>
        public const string TestAccuracy = "test_accuracy";

        /// <summary>Images trained on.</summary>
        public const string TrainImages = "train_images";

        /// <summary>Images held out for validation.</summary>
        public const string ValidationImages = "validation_images";

        /// <summary>Where the training images came from.</summary>
        public const string DataSource = "data_source";

        /// <summary><see cref="InputConvention"/>.</summary>
        public const string Input = "input";

        /// <summary><see cref="OutputConvention"/>.</summary>
        public const string Output = "output";

        /// <summary>The normalisation inside the graph, "(x - mean) / std" with the numbers.</summary>
        public const string Normalization = "normalization";

        /// <summary>The program and version that trained the checkpoint.</summary>
        public const string CheckpointCreatedBy = "checkpoint_created_by";

        /// <summary>When the checkpoint was written (ISO 8601).</summary>
        public const string CheckpointCreatedUtc = "checkpoint_created_utc";

        /// <summary>
        /// The whole checkpoint metadata as JSON (training options, history, split), so that <c>serve</c>'s
        /// /api/model, <c>evaluate --validation</c> and reports work from the ONNX file as from the checkpoint.
        /// </summary>
        public const string CheckpointMetadata = "checkpoint_metadata";

        /// <summary>
        /// The refusal rule's score, "max_probability" or "margin" (of the ten probabilities), when the checkpoint
        /// was calibrated (<c>digits calibrate</c>); absent otherwise. Other programs refuse a digit whose score is
        /// below <see cref="RejectionThreshold"/>.
        /// </summary>
        public const string RejectionMethod = "rejection_method";

        /// <summary>The refusal rule's threshold, 0-1: scores below it are reported as unreadable.</summary>
        public const string RejectionThreshold = "rejection_threshold";

        /// <summary>Share, 0-1, of the validation images the threshold refused when it was chosen.</summary>
        public const string RejectionRefusedShare = "rejection_refused_share";

        /// <summary>The program and version that exported the file (also in the model's producer fields).</summary>
        public const string Producer = "producer";

        /// <summary>
        /// How the weights and activations were reduced to 8-bit integers, for a model exported with
        /// <c>digits export-onnx --quantize int8</c> (absent for float32 models): the scheme and the images the
        /// activation ranges were measured on. Its input and output stay float32 as in every exported model.
        /// </summary>
        public const string Quantization = "quantization";
    }
}
