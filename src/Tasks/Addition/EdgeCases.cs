namespace ActorSweep.Tasks.Addition;

/// <summary>
/// Pairs uniform sampling almost never draws, which an adder must still get right: zeros, all
/// nines, and carries through every digit (a chance of about 10^-10 per uniform pair).
/// </summary>
public static class EdgeCases
{
    public static IReadOnlyList<(long A, long B)> Pairs { get; } =
    [
        (0, 0), (0, AdditionFormat.MaxOperand), (AdditionFormat.MaxOperand, 0), (1, 1),
        (AdditionFormat.MaxOperand, AdditionFormat.MaxOperand),                 // all nines: 19,999,999,998
        (AdditionFormat.MaxOperand, 1), (1, AdditionFormat.MaxOperand),         // one carry through every digit
        (5_555_555_555, 4_444_444_445), (4_999_999_999, 5_000_000_001),         // sums of 10^10, every digit carrying
        (1_234_567_890, 8_765_432_110), (9_000_000_000, 1_000_000_000),         // 10^10 again; a carry out of the top digit only
        (5_000_000_000, 5_000_000_000), (9_999_999_990, 10),
    ];
}
