using ActorSweep.GpuNode.Models;
using ActorSweep.Tasks.Addition;
using ActorSweep.GpuNode.Training;
using TorchSharp;

namespace ActorSweep.Tests.Training;

/// <summary>The flat optimizer against optax's update rule written out in double precision.</summary>
public sealed class FlatAdamWTests
{
    [Theory]
    [InlineData(0.3, false)]   // gradient norm below the clip: used as is
    [InlineData(5.0, false)]   // above: scaled to norm 1
    [InlineData(0.3, true)]    // a weight decay that changes every step (final_weight_decay)
    public void Matches_clip_then_adamw_for_several_steps(double gradientScale, bool scheduledDecay)
    {
        var recipe = new TrainingRecipe { PeakLearningRate = 0.05, WeightDecay = 0.01, ClipNorm = 1.0 };
        using var flat = new FlatParameters(6);
        flat.Take("w", ParameterInit.Zeros, 2, 3);
        using var optimizer = new FlatAdamW(flat, recipe);
        double[] p = [0.5, -1, 2, 0, 0.25, -0.75];
        double[] m = new double[6], v = new double[6];
        using (torch.no_grad()) flat.Values.copy_(torch.tensor(p.Select(x => (float)x).ToArray()));

        for (int t = 1; t <= 5; t++)
        {
            double[] g = Enumerable.Range(0, 6).Select(i => gradientScale * Math.Sin(i + t)).ToArray();
            using (torch.no_grad()) flat.Gradients.copy_(torch.tensor(g.Select(x => (float)x).ToArray()));
            double lr = 0.05 * t / 5, wd = scheduledDecay ? 0.3 / t : 0.01;
            float norm = scheduledDecay ? optimizer.Step(lr, wd) : optimizer.Step(lr);
            Assert.Equal(Math.Sqrt(g.Sum(x => x * x)), norm, precision: 4);

            // optax: clip_by_global_norm(1.0), then adamw.
            double gn = Math.Sqrt(g.Sum(x => x * x));
            if (gn >= 1.0) g = g.Select(x => x / gn).ToArray();
            for (int i = 0; i < 6; i++)
            {
                m[i] = 0.9 * m[i] + 0.1 * g[i];
                v[i] = 0.999 * v[i] + 0.001 * g[i] * g[i];
                double mhat = m[i] / (1 - Math.Pow(0.9, t)), vhat = v[i] / (1 - Math.Pow(0.999, t));
                p[i] -= lr * (mhat / (Math.Sqrt(vhat) + 1e-8) + wd * p[i]);
            }
        }
        var actual = flat.Values.data<float>().ToArray();
        for (int i = 0; i < 6; i++) Assert.Equal(p[i], actual[i], precision: 5);
        Assert.Equal(5, optimizer.UpdateCount);
    }
}
