using ActorSweep.GpuNode.Models;
using TorchSharp;
using static TorchSharp.torch;

namespace ActorSweep.GpuNode.Training;

/// <summary>
/// Grokfast's EMA filter (Lee et al. 2024, "Grokfast: Accelerated Grokking by Amplifying Slow
/// Gradients"), over the flat gradient buffer: ema ← α·ema + (1 − α)·g, then g ← g + λ·ema. The
/// average starts as the first gradient, as the paper's code does. It is state the next step
/// depends on, so it goes into checkpoints: a resumed run filters exactly as an uninterrupted one.
/// </summary>
public sealed class GrokfastFilter : IDisposable
{
    readonly Scalar _alpha, _oneMinusAlpha, _lamb;
    Tensor? _average;

    public GrokfastFilter(double alpha, double lamb)
    {
        _alpha = alpha.ToScalar();
        _oneMinusAlpha = (1 - alpha).ToScalar();
        _lamb = lamb.ToScalar();
    }

    /// <summary>Filters <paramref name="gradients"/> in place.</summary>
    public void Apply(Tensor gradients)
    {
        using var _ = torch.no_grad();
        // The average outlives the step's dispose scope.
        if (_average is null) _average = gradients.detach().clone().DetachFromDisposeScope();
        else _average.mul_(_alpha).add_(gradients, alpha: _oneMinusAlpha);
        gradients.add_(_average, alpha: _lamb);
    }

    /// <summary>The average so far; empty before the first step.</summary>
    public float[] State() => _average?.data<float>().ToArray() ?? [];

    /// <summary>Restores an average saved by <see cref="State"/>; an empty one starts afresh.</summary>
    public void Restore(float[] average)
    {
        _average?.Dispose();
        _average = average.Length == 0 ? null : torch.tensor(average).DetachFromDisposeScope();
    }

    public void Dispose()
    {
        _average?.Dispose();
        foreach (var s in new[] { _alpha, _oneMinusAlpha, _lamb }) s.Dispose();
    }
}
