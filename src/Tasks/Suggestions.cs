namespace ActorSweep.Tasks;

/// <summary>"Did you mean" hints for a mistyped name: the one place that decides how close is close.</summary>
public static class Suggestions
{
    /// <summary>The closest known name, or null when none is close enough to be a typo of it.</summary>
    public static string? Closest(string name, IEnumerable<string> known)
    {
        var best = known.Select(k => (k, d: Distance(name, k))).OrderBy(x => x.d).FirstOrDefault();
        return best.k is not null && best.d <= Math.Max(2, name.Length / 3) ? best.k : null;
    }

    /// <summary>" (did you mean 'x'?)" when a known name is close, else <paramref name="otherwise"/>.</summary>
    public static string DidYouMean(string name, IEnumerable<string> known, string otherwise = "") =>
        Closest(name, known) is { } hint ? $" (did you mean '{hint}'?)" : otherwise;

    static int Distance(string a, string b)
    {
        var d = new int[a.Length + 1, b.Length + 1];
        for (int i = 0; i <= a.Length; i++) d[i, 0] = i;
        for (int j = 0; j <= b.Length; j++) d[0, j] = j;
        for (int i = 1; i <= a.Length; i++)
            for (int j = 1; j <= b.Length; j++)
                d[i, j] = Math.Min(Math.Min(d[i - 1, j] + 1, d[i, j - 1] + 1), d[i - 1, j - 1] + (a[i - 1] == b[j - 1] ? 0 : 1));
        return d[a.Length, b.Length];
    }
}
