using ActorSweep.Tasks;
using TorchSharp;

namespace ActorSweep.GpuNode.Models;

/// <summary>
/// Starts parameters as the seed's Flax defaults do, drawing every value from the run's own
/// generator (seed, Initialization) in C#: libtorch's global generator is shared by every actor
/// in a process, and TorchSharp's nn.init ignores a Generator argument.
/// </summary>
public static class FlaxInitializer
{
    /// <summary>Flax's truncated_normal divides by this so that the truncated draw has unit variance.</summary>
    const double TruncatedNormalStd = 0.87962566103423978;

    public static void Apply(FlatParameters parameters, long seed)
    {
        var rng = new RunRandom(seed, RandomStream.Initialization, 0);
        var values = new float[parameters.Count];
        foreach (var slot in parameters.Slots)
        {
            var span = values.AsSpan((int)slot.Offset, (int)slot.Size);
            switch (slot.Init)
            {
                case ParameterInit.Embedding:
                    // variance_scaling(1, fan_in, normal, out_axis=0) on [N, d] has fan_in = d.
                    double std = 1 / Math.Sqrt(slot.Shape[1]);
                    for (int i = 0; i < span.Length; i++) span[i] = (float)(std * Normal(ref rng));
                    break;
                case ParameterInit.DenseKernel:
                    // Torch stores a linear weight as [out, in]; fan_in is its second dimension.
                    double scale = 1 / Math.Sqrt(slot.Shape[1]) / TruncatedNormalStd;
                    for (int i = 0; i < span.Length; i++) span[i] = (float)(scale * TruncatedNormal(ref rng));
                    break;
                case ParameterInit.Ones:
                    span.Fill(1f);
                    break;
                case ParameterInit.Zeros:
                    span.Clear();
                    break;
            }
        }
        using var source = torch.tensor(values);
        using (torch.no_grad()) parameters.Values.copy_(source);
    }

    /// <summary>Standard normal by Box–Muller.</summary>
    static double Normal(ref RunRandom rng)
    {
        double u1 = 1.0 - rng.NextDouble(); // (0, 1]
        double u2 = rng.NextDouble();
        return Math.Sqrt(-2 * Math.Log(u1)) * Math.Cos(2 * Math.PI * u2);
    }

    /// <summary>Standard normal restricted to [-2, 2], by rejection.</summary>
    static double TruncatedNormal(ref RunRandom rng)
    {
        while (true)
        {
            double z = Normal(ref rng);
            if (Math.Abs(z) <= 2) return z;
        }
    }
}
