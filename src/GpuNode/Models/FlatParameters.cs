using TorchSharp;
using TorchSharp.Modules;
using static TorchSharp.torch;

namespace ActorSweep.GpuNode.Models;

/// <summary>
/// A model's parameters, all views into one flat buffer, with their gradients views into a
/// second one. The optimizer then updates every parameter with a few whole-buffer operations
/// instead of a dozen per parameter; at the seed's sizes those per-operation costs dominate.
/// </summary>
public sealed class FlatParameters : IDisposable
{
    readonly List<ParameterSlot> _slots = new();
    long _used;

    public FlatParameters(long size)
    {
        Values = torch.zeros(size);
        Gradients = torch.zeros(size);
    }

    /// <summary>Every parameter value, in declaration order.</summary>
    public Tensor Values { get; }
    /// <summary>Every parameter gradient; backward accumulates into it, <see cref="ZeroGradients"/> clears it.</summary>
    public Tensor Gradients { get; }
    public long Count => Values.shape[0];
    public IReadOnlyList<ParameterSlot> Slots => _slots;

    /// <summary>Takes the next <paramref name="shape"/>-sized slice as a trainable parameter.</summary>
    public Parameter Take(string name, ParameterInit init, params long[] shape)
    {
        long n = shape.Aggregate(1L, (a, b) => a * b);
        if (_used + n > Count)
            throw new InvalidOperationException($"parameter '{name}' does not fit: {_used} + {n} > {Count}");
        var p = new Parameter(Values.narrow(0, _used, n).view(shape), requires_grad: true);
        p.grad = Gradients.narrow(0, _used, n).view(shape);
        _slots.Add(new ParameterSlot(name, shape, _used, init, p));
        _used += n;
        return p;
    }

    /// <summary>Checks that the parameters fill the buffer exactly.</summary>
    public void EnsureFull()
    {
        if (_used != Count) throw new InvalidOperationException($"parameters use {_used} of {Count} values");
    }

    public void ZeroGradients() => Gradients.zero_();

    public void Dispose()
    {
        foreach (var s in _slots) s.Parameter.Dispose();
        Values.Dispose();
        Gradients.Dispose();
    }
}

/// <summary>How a parameter starts, as Flax's defaults do in the seed.</summary>
public enum ParameterInit
{
    /// <summary>nn.Embed: normal with variance 1/d.</summary>
    Embedding,
    /// <summary>nn.Dense kernel: LeCun normal, truncated at two standard deviations, variance 1/fan_in.</summary>
    DenseKernel,
    Zeros,
    Ones,
}

/// <summary>Where one named parameter lives in the flat buffer.</summary>
public sealed record ParameterSlot(string Name, long[] Shape, long Offset, ParameterInit Init, Parameter Parameter)
{
    public long Size => Shape.Aggregate(1L, (a, b) => a * b);
}
