using System.Text.RegularExpressions;

namespace ActorSweep.Tests.Training;

/// <summary>
/// A guard beside the garbage-collection stress test, which catches a temporary Scalar only when a
/// collection happens to land mid-op: no training or evaluation source hands a tensor op a number
/// (TorchSharp turns it into a temporary native Scalar) or calls <c>square()</c> (a temporary 2).
/// Operators between tensors (<c>a + b</c>) cannot be told from arithmetic on numbers here; the
/// stress test covers those.
/// </summary>
public sealed partial class HeldScalarSourceTests
{
    [GeneratedRegex(@"\.square\(\)|\.(pow|mul|div|add|sub|rsub|remainder|fmod|clamp|clamp_min|clamp_max|masked_fill|fill|lt|gt|le|ge|eq|ne)_?\((?:[^()]*,)?\s*(-?\d+(\.\d+)?[fFdDmM]?|float\.\w+|double\.\w+)\s*[,)]")]
    private static partial Regex TemporaryScalar();

    [Fact]
    public void No_tensor_op_in_the_worker_is_handed_a_number()
    {
        var root = Path.Combine(TestEnvironment.RepositoryRoot, "src", "GpuNode");
        var sources = Directory.GetFiles(root, "*.cs", SearchOption.AllDirectories)
            .Where(f => !f.Contains($"{Path.DirectorySeparatorChar}bin{Path.DirectorySeparatorChar}") && !f.Contains($"{Path.DirectorySeparatorChar}obj{Path.DirectorySeparatorChar}"))
            .ToList();
        Assert.Contains(sources, f => f.EndsWith("AdditionTransformer.cs"));
        var found = sources.SelectMany(file => File.ReadAllLines(file).Select((line, i) => (file, i, code: StripComment(line))))
            .Where(x => TemporaryScalar().IsMatch(x.code))
            .Select(x => $"{Path.GetRelativePath(root, x.file)}:{x.i + 1}: {x.code.Trim()}")
            .ToList();
        Assert.True(found.Count == 0, "ops handed a temporary Scalar (hold it: HeldScalar, a field or a using):\n" + string.Join('\n', found));
    }

    [Theory]
    [InlineData("var y = x.square().mean();")]
    [InlineData("var y = x.pow(2);")]
    [InlineData("x.mul_(0.5);")]
    [InlineData("scores.masked_fill(mask, float.NegativeInfinity);")]
    [InlineData("var z = a.add(b, 1);")]
    public void The_guard_catches_numbers_handed_to_ops(string code) => Assert.Matches(TemporaryScalar(), code);

    [Theory]
    [InlineData("x.pow(HeldScalar.Two)")]
    [InlineData("x.add(y, HeldScalar.One)")]
    [InlineData("x.narrow(0, 0, t)")]
    [InlineData("F.linear(a, _qkv).split(width, dim: -1)")]
    public void The_guard_lets_held_scalars_and_shape_arguments_pass(string code) => Assert.DoesNotMatch(TemporaryScalar(), code);

    static string StripComment(string line) => line.IndexOf("//", StringComparison.Ordinal) is var at and >= 0 ? line[..at] : line;
}
