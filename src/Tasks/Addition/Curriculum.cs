namespace ActorSweep.Tasks.Addition;

/// <summary>One curriculum phase: for <see cref="Steps"/> steps each example draws its digit count n
/// uniformly from [MinDigits, MaxDigits], then both operands uniformly from [0, 10^n − 1].</summary>
public sealed record CurriculumPhase(int MinDigits, int MaxDigits, int Steps);

/// <summary>Curriculum sampling by digit count (docs/WORKLOAD.md, "Sampling and evaluation").</summary>
public sealed class Curriculum
{
    /// <summary>The seed's three phases: 1–3 digits for 2,000 steps, 1–6 for 5,000, 1–10 for 20,000.</summary>
    public static Curriculum Seed { get; } = new([new(1, 3, 2000), new(1, 6, 5000), new(1, 10, 20000)]);

    public Curriculum(IReadOnlyList<CurriculumPhase> phases)
    {
        if (phases.Count == 0) throw new ArgumentException("a curriculum needs at least one phase", nameof(phases));
        foreach (var p in phases)
        {
            if (p.MinDigits < 1 || p.MaxDigits > AdditionFormat.OperandDigits || p.MinDigits > p.MaxDigits)
                throw new ArgumentException($"curriculum phase {p.MinDigits}-{p.MaxDigits} digits: digits must satisfy 1 <= min <= max <= {AdditionFormat.OperandDigits}");
            if (p.Steps < 1) throw new ArgumentException($"curriculum phase {p.MinDigits}-{p.MaxDigits} digits: steps must be at least 1, not {p.Steps}");
        }
        Phases = phases.ToArray();
    }

    public IReadOnlyList<CurriculumPhase> Phases { get; }
    public int TotalSteps => Phases.Sum(p => p.Steps);
    public int MaxDigits => Phases.Max(p => p.MaxDigits);

    /// <summary>The phase of 0-based step <paramref name="step"/>; steps past the end stay in the last phase.</summary>
    public CurriculumPhase PhaseAt(long step)
    {
        long end = 0;
        foreach (var p in Phases)
        {
            end += p.Steps;
            if (step < end) return p;
        }
        return Phases[^1];
    }

    /// <summary>The same phases with their lengths scaled to a total of <paramref name="totalSteps"/>
    /// (each keeps its share; the last takes the rounding remainder).</summary>
    public Curriculum ScaledTo(int totalSteps)
    {
        if (totalSteps == TotalSteps) return this;
        if (totalSteps < Phases.Count)
            throw new ArgumentException($"{totalSteps} steps cannot hold {Phases.Count} curriculum phases");
        var scaled = new List<CurriculumPhase>();
        int used = 0;
        for (int i = 0; i < Phases.Count; i++)
        {
            int steps = i == Phases.Count - 1
                ? totalSteps - used
                : Math.Max(1, (int)Math.Round((double)Phases[i].Steps * totalSteps / TotalSteps));
            scaled.Add(Phases[i] with { Steps = steps });
            used += steps;
        }
        return new Curriculum(scaled);
    }

    public override string ToString() => string.Join(", ", Phases.Select(p => $"{p.MinDigits}-{p.MaxDigits} digits x {p.Steps}"));
}
