using TorchSharp;

namespace ActorSweep.GpuNode.Training;

/// <summary>
/// libtorch's intra-op thread count is process-wide. A command that changes it (eval and predict
/// use every core) restores it when done, so a process that also trains (a test run, a host)
/// keeps one thread per training step: two threads reduce in another order and break
/// bit-identical resumes.
/// </summary>
public static class TorchThreads
{
    public static IDisposable Use(int threads)
    {
        int previous = torch.get_num_threads();
        torch.set_num_threads(threads);
        return new Restore(previous);
    }

    sealed class Restore(int previous) : IDisposable
    {
        public void Dispose() => torch.set_num_threads(previous);
    }
}
