// libtorch's global state (threads, seed) is process-wide: tests that train must not interleave.
[assembly: CollectionBehavior(DisableTestParallelization = true)]
