using ActorSweep.GpuNode.Models;
using ActorSweep.Tasks.Addition;
using TorchSharp;
using static TorchSharp.torch;

namespace ActorSweep.GpuNode.Training;

/// <summary>
/// The seed's optimizer, optax.chain(clip_by_global_norm(c), adamw(lr, b1, b2, eps, wd)), over
/// one flat parameter buffer: about fifteen whole-buffer operations per step instead of a dozen
/// per parameter. Weight decay applies to every parameter, as optax's default mask does.
/// Its whole state (two moment buffers and an update count) goes into checkpoints, so a resumed
/// run continues bit for bit.
/// </summary>
public sealed class FlatAdamW : IDisposable
{
    readonly FlatParameters _parameters;
    readonly TrainingRecipe _recipe;
    // Every scalar an op reads is held for as long as the op runs (see HeldScalar).
    readonly Scalar _beta1, _oneMinusBeta1, _beta2, _oneMinusBeta2, _epsilon, _weightDecay;

    public FlatAdamW(FlatParameters parameters, TrainingRecipe recipe)
    {
        _parameters = parameters;
        _recipe = recipe;
        _beta1 = recipe.Beta1.ToScalar();
        _oneMinusBeta1 = (1 - recipe.Beta1).ToScalar();
        _beta2 = recipe.Beta2.ToScalar();
        _oneMinusBeta2 = (1 - recipe.Beta2).ToScalar();
        _epsilon = recipe.Epsilon.ToScalar();
        _weightDecay = recipe.WeightDecay.ToScalar();
        FirstMoment = torch.zeros(parameters.Count);
        SecondMoment = torch.zeros(parameters.Count);
    }

    public Tensor FirstMoment { get; }
    public Tensor SecondMoment { get; }
    /// <summary>Updates made so far (optax's count); bias correction uses count + 1.</summary>
    public long UpdateCount { get; private set; }

    /// <summary>One update with the recipe's constant weight decay.</summary>
    public float Step(double learningRate) => Step(learningRate, _recipe.WeightDecay);

    /// <summary>Clips the gradients to the global norm and applies one AdamW update at <paramref name="learningRate"/>
    /// with <paramref name="weightDecay"/>. Returns the gradient norm before clipping.</summary>
    public float Step(double learningRate, double weightDecay)
    {
        using var _ = torch.no_grad();
        var g = _parameters.Gradients;
        var p = _parameters.Values;

        // optax keeps g when ‖g‖ < c and scales it by c/‖g‖ otherwise (in float32; a double quotient
        // rounded to float is the same number).
        float gradientNorm;
        using (var norm = g.norm()) gradientNorm = norm.item<float>();
        if (gradientNorm > _recipe.ClipNorm)
        {
            using var clip = ((float)(_recipe.ClipNorm / gradientNorm)).ToScalar();
            g.mul_(clip);
        }

        UpdateCount++;
        FirstMoment.mul_(_beta1).add_(g, alpha: _oneMinusBeta1);
        SecondMoment.mul_(_beta2).addcmul_(g, g, value: _oneMinusBeta2);
        using var correction1 = (1 - Math.Pow(_recipe.Beta1, UpdateCount)).ToScalar();
        using var correction2 = (1 - Math.Pow(_recipe.Beta2, UpdateCount)).ToScalar();
        using var step = (-learningRate).ToScalar();

        // u = m̂ / (√v̂ + ε) + wd·p;  p ← p − lr·u
        using var denominator = SecondMoment.div(correction2).sqrt_().add_(_epsilon, HeldScalar.One);
        using var scheduledDecay = weightDecay == _recipe.WeightDecay ? null : weightDecay.ToScalar();
        using var update = FirstMoment.div(correction1).div_(denominator).add_(p, alpha: scheduledDecay ?? _weightDecay);
        p.add_(update, alpha: step);
        return gradientNorm;
    }

    /// <summary>Restores state saved in a checkpoint.</summary>
    public void Restore(float[] firstMoment, float[] secondMoment, long updateCount)
    {
        using var _ = torch.no_grad();
        using var m = torch.tensor(firstMoment);
        using var v = torch.tensor(secondMoment);
        FirstMoment.copy_(m);
        SecondMoment.copy_(v);
        UpdateCount = updateCount;
    }

    public void Dispose()
    {
        FirstMoment.Dispose();
        SecondMoment.Dispose();
        foreach (var s in new[] { _beta1, _oneMinusBeta1, _beta2, _oneMinusBeta2, _epsilon, _weightDecay }) s.Dispose();
    }
}
