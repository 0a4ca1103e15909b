namespace ActorSweep.Tasks.Addition;

/// <summary>
/// Carry-heavy sampling: a share of each training batch is drawn with a long carry chain, and the
/// share fades linearly to zero. In uniform operands a carry that must pass through k digits
/// summing to exactly 9 has probability about 0.1^k, so a model can reach high training accuracy
/// without ever learning to propagate a carry far; these examples show it that case often.
/// </summary>
/// <param name="Share">The share of each batch at step 0, in [0, 1].</param>
/// <param name="FadeSteps">The step at which the share has faded to zero.</param>
public sealed record CarrySampling(double Share, long FadeSteps)
{
    /// <summary>The share of the batch of 0-based <paramref name="step"/>.</summary>
    public double ShareAt(long step) => step >= FadeSteps ? 0 : Share * (1 - (double)step / FadeSteps);

    /// <summary>
    /// Two <paramref name="digits"/>-digit operands whose sum has a carry chain: its length L is
    /// uniform in [1, digits], its start s uniform in [0, digits − L]; digit s generates a carry
    /// (a + b ≥ 10), digits s+1 … s+L−1 propagate it (a + b = 9), every other digit is uniform.
    /// </summary>
    public static (long A, long B) DrawChain(ref RunRandom rng, int digits)
    {
        int length = rng.NextInt(1, digits);
        int start = rng.NextInt(0, digits - length);
        long a = 0, b = 0, place = 1;
        for (int i = 0; i < digits; i++, place *= 10)
        {
            int da, db;
            if (i == start) { da = rng.NextInt(1, 9); db = rng.NextInt(10 - da, 9); }
            else if (i > start && i < start + length) { da = rng.NextInt(0, 9); db = 9 - da; }
            else { da = rng.NextInt(0, 9); db = rng.NextInt(0, 9); }
            a += da * place;
            b += db * place;
        }
        return (a, b);
    }

    /// <summary>The longest run of consecutive carries when adding <paramref name="a"/> and <paramref name="b"/>.</summary>
    public static int LongestCarryChain(long a, long b)
    {
        int longest = 0, current = 0, carry = 0;
        for (; a > 0 || b > 0; a /= 10, b /= 10)
        {
            carry = (int)(a % 10 + b % 10) + carry >= 10 ? 1 : 0;
            current = carry == 1 ? current + 1 : 0;
            longest = Math.Max(longest, current);
        }
        return longest;
    }
}
