using TorchSharp;

namespace ActorSweep.GpuNode.Models;

/// <summary>
/// Scalars that stay alive while libtorch uses them. TorchSharp turns every number passed to an
/// op (and the implicit alpha = 1 of <c>a + b</c>) into a temporary native Scalar with a finalizer
/// and no GC.KeepAlive: once its handle is read the object is garbage, and a GC started by another
/// thread can free it while the op still reads it (seen as "Unknown scalar type" and a failed
/// Scalar::toFloat check in THSTensor_add, with two runs training side by side). Training and
/// evaluation code therefore passes only scalars held here, or in a field, or in a using.
/// </summary>
public static class HeldScalar
{
    /// <summary>The alpha of a plain sum: write <c>a.add(b, HeldScalar.One)</c>, never <c>a + b</c>.</summary>
    public static readonly Scalar One = 1.ToScalar();

    /// <summary>A square: write <c>x.pow(HeldScalar.Two)</c>, never <c>x.square()</c>, which passes pow a temporary 2 (an RMSNorm run failed so).</summary>
    public static readonly Scalar Two = 2.ToScalar();
}
