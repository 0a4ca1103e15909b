namespace ActorSweep.GpuNode.Addition;

/// <summary>
/// Verifies that evaluation pairs were never trained on, by regenerating the run's training
/// stream (a pure function of seed and step) and its validation set.
/// </summary>
public static class HeldOutCheck
{
    public sealed record Result(int TrainingOverlap, int ValidationOverlap, long TrainingPairsChecked);

    public static Result Count(AdditionData run, long steps, int batchSize, IEnumerable<(long A, long B)> pairs)
    {
        var evaluated = new HashSet<(long, long)>(pairs);
        var seenInTraining = new HashSet<(long, long)>();
        for (long step = 0; step < steps; step++)
            foreach (var pair in run.TrainingPairs(step, batchSize))
                if (evaluated.Contains(pair)) seenInTraining.Add(pair);
        int validation = run.Validation.Count(evaluated.Contains);
        return new Result(seenInTraining.Count, validation, steps * batchSize);
    }
}
