using ActorSweep.Messages.Sweeps;
using ActorSweep.Tasks;

namespace ActorSweep.Seed.Search;

/// <summary>
/// The Tree-structured Parzen Estimator (Bergstra et al. 2011, as Optuna runs it), a pure function
/// of the results so far and a seeded generator. Points are on each dimension's modelling scale
/// (<see cref="SearchDimension.InternalBounds"/>): numeric dimensions get truncated Gaussian
/// kernels, choices categorical ones; each density also holds a prior (a wide kernel at the middle,
/// or a uniform choice), so it is never zero.
/// </summary>
public static class TpeSampler
{
    /// <summary>A trial with a result: its point, how far it got (<see cref="Step"/>: results from further on rank first) and its value (null: missing, ranks last). A struct: a decision gathers thousands.</summary>
    public readonly record struct Observation(string RunId, double[] Point, long Step, double? Value);

    /// <summary>The chosen point and why: how many results were good and bad, how many liars, and log l(x)/g(x) at the point.</summary>
    public sealed record Choice(double[] Point, int Good, int Bad, int InFlight, double LogRatio, IReadOnlyList<string> Best);

    /// <summary>How many of <paramref name="observed"/> results are modelled as good: ⌈γ·n⌉, at least one, at most <see cref="TpeSearch.MaxGood"/>.</summary>
    public static int GoodCount(double gamma, int observed) => observed == 0 ? 0 : Math.Clamp((int)Math.Ceiling(gamma * observed), 1, TpeSearch.MaxGood);

    /// <summary>
    /// Chooses the next point. <paramref name="observed"/> are ranked (further first, then better
    /// first); the best <see cref="GoodCount"/> make l, the rest and <paramref name="inFlight"/>
    /// (trials running without a result: a constant liar, worst) make g; with more than
    /// <see cref="MaxBad"/> bad results, g takes that many of them evenly spaced by rank.
    /// </summary>
    public static Choice Suggest(TpeSearch search, IReadOnlyList<Observation> observed, IReadOnlyList<double[]> inFlight, ref RunRandom random)
    {
        var ranked = observed.ToArray();
        Array.Sort(ranked, (a, b) => Rank(search.Goal, a, b));
        int good = GoodCount(search.Gamma, ranked.Length);
        var l = new Parzen(search, ranked.Take(good).Select(o => o.Point).ToList());
        var g = new Parzen(search, [.. Spread(ranked, good, MaxBad).Select(o => o.Point), .. inFlight]);

        double[] best;
        double bestScore;
        if (search.Multivariate)
        {
            (best, bestScore) = (null!, double.NegativeInfinity);
            for (int c = 0; c < search.Candidates; c++)
            {
                var x = l.SampleJoint(ref random);
                double score = l.LogDensity(x) - g.LogDensity(x);
                if (score > bestScore) (best, bestScore) = (x, score);
            }
        }
        else
        {
            best = new double[search.Space.Count];
            bestScore = 0;
            for (int d = 0; d < search.Space.Count; d++)
            {
                double top = double.NaN, topScore = double.NegativeInfinity;
                for (int c = 0; c < search.Candidates; c++)
                {
                    double x = l.Sample(d, ref random);
                    double score = l.LogDensity(d, x) - g.LogDensity(d, x);
                    if (score > topScore) (top, topScore) = (x, score);
                }
                best[d] = top;
                bestScore += topScore;
            }
        }
        return new Choice(best, good, ranked.Length - good, inFlight.Count, bestScore, ranked.Take(Math.Min(good, 5)).Select(o => o.RunId).ToList());
    }

    /// <summary>The most bad results g is built from: beyond it, a 10,000-trial search would spend its time on kernels far from every candidate.</summary>
    public const int MaxBad = 1000;

    /// <summary>The results ranked from <paramref name="from"/> on, or at most <paramref name="most"/> of them evenly spaced by rank (the best and the worst kept).</summary>
    static IEnumerable<Observation> Spread(Observation[] ranked, int from, int most)
    {
        int n = ranked.Length - from;
        if (n <= most) return ranked.Skip(from);
        return Enumerable.Range(0, most).Select(i => ranked[from + (int)((long)i * (n - 1) / (most - 1))]);
    }

    /// <summary>Further first, then a result before none, then better first; ties in run-id order, so the ranking is total.</summary>
    static int Rank(MetricGoal goal, Observation a, Observation b)
    {
        int c = b.Step.CompareTo(a.Step);
        if (c != 0) return c;
        if (a.Value is not { } x) return b.Value is null ? string.CompareOrdinal(a.RunId, b.RunId) : 1;
        if (b.Value is not { } y) return -1;
        c = goal.Maximize ? y.CompareTo(x) : x.CompareTo(y);
        return c != 0 ? c : string.CompareOrdinal(a.RunId, b.RunId);
    }

    /// <summary>
    /// A Parzen density over the space: one kernel per point plus the prior, equally weighted.
    /// Bandwidths: independent, the larger gap to a neighbouring point (Optuna's rule), clipped
    /// to [range / min(100, 1 + n), range]; multivariate, Scott's rule 0.2·n^(−1/(d+4))·range.
    /// </summary>
    sealed class Parzen
    {
        readonly TpeSearch _search;
        readonly List<double[]> _centres; // the points, then the prior's centre
        readonly double[][] _sigmas;      // per dimension, per kernel
        readonly double[][] _logNorm;     // per dimension, per kernel: the log of a numeric kernel's normalising constant, truncation included
        readonly double[] _terms;         // scratch: one term per kernel

        public Parzen(TpeSearch search, List<double[]> points)
        {
            _search = search;
            int dims = search.Space.Count;
            var prior = new double[dims];
            for (int d = 0; d < dims; d++)
            {
                var (lo, hi) = search.Space[d].InternalBounds;
                prior[d] = (lo + hi) / 2;
            }
            _centres = [.. points, prior];
            _sigmas = new double[dims][];
            _logNorm = new double[dims][];
            for (int d = 0; d < dims; d++)
            {
                _sigmas[d] = Bandwidths(d);
                _logNorm[d] = new double[Count];
                if (IsChoice(d)) continue;
                var (lo, hi) = search.Space[d].InternalBounds;
                for (int k = 0; k < Count; k++)
                {
                    double mu = _centres[k][d], sigma = _sigmas[d][k];
                    double mass = NormalCdf((hi - mu) / sigma) - NormalCdf((lo - mu) / sigma);
                    _logNorm[d][k] = -Math.Log(sigma) - 0.5 * Math.Log(2 * Math.PI) - Math.Log(Math.Max(mass, 1e-300));
                }
            }
            _terms = new double[Count];
        }

        int Count => _centres.Count;
        bool IsChoice(int d) => _search.Space[d].Kind == DimensionKind.Choice;

        double[] Bandwidths(int d)
        {
            var (lo, hi) = _search.Space[d].InternalBounds;
            double range = Math.Max(hi - lo, 1e-12);
            var sigmas = new double[Count];
            if (IsChoice(d)) return sigmas; // categorical kernels have no bandwidth
            sigmas[Count - 1] = range; // the prior: as wide as the space
            int n = Count - 1;
            if (n == 0) return sigmas;
            if (_search.Multivariate)
            {
                double scott = 0.2 * Math.Pow(Count, -1.0 / (_search.Space.Count + 4)) * range;
                for (int i = 0; i < n; i++) sigmas[i] = Math.Clamp(scott, range / Math.Min(100.0, 1 + Count), range);
                return sigmas;
            }
            var order = new int[n];
            var keys = new double[n];
            for (int i = 0; i < n; i++) (order[i], keys[i]) = (i, _centres[i][d]);
            Array.Sort(keys, order);
            for (int k = 0; k < n; k++)
            {
                double x = _centres[order[k]][d];
                double left = x - (k > 0 ? _centres[order[k - 1]][d] : lo);
                double right = (k < n - 1 ? _centres[order[k + 1]][d] : hi) - x;
                sigmas[order[k]] = Math.Clamp(Math.Max(left, right), range / Math.Min(100.0, 1 + Count), range);
            }
            return sigmas;
        }

        /// <summary>A draw of dimension <paramref name="d"/> alone: a kernel at random, then a value from it.</summary>
        public double Sample(int d, ref RunRandom random) => SampleKernel(d, (int)random.NextInt64(Count), ref random);

        /// <summary>A joint draw: one kernel for every dimension.</summary>
        public double[] SampleJoint(ref RunRandom random)
        {
            int k = (int)random.NextInt64(Count);
            var x = new double[_search.Space.Count];
            for (int d = 0; d < x.Length; d++) x[d] = SampleKernel(d, k, ref random);
            return x;
        }

        double SampleKernel(int d, int k, ref RunRandom random)
        {
            var dimension = _search.Space[d];
            var (lo, hi) = dimension.InternalBounds;
            if (IsChoice(d))
            {
                int choices = dimension.Choices!.Count;
                bool prior = k == Count - 1;
                // A point's kernel keeps its choice with probability 1 − ε and spreads ε over the others.
                if (!prior && random.NextDouble() < 1 - ChoiceSpread(choices)) return _centres[k][d];
                return random.NextInt64(choices);
            }
            double mu = _centres[k][d], sigma = _sigmas[d][k];
            for (int tries = 0; tries < 100; tries++)
            {
                double x = mu + sigma * Gaussian(ref random);
                if (x >= lo && x <= hi) return Round(dimension, x);
            }
            return Round(dimension, Math.Clamp(mu, lo, hi));
        }

        /// <summary>Integers are modelled as they are drawn: rounded.</summary>
        static double Round(SearchDimension dimension, double x) => dimension.Kind == DimensionKind.IntUniform ? Math.Round(x) : x;

        double ChoiceSpread(int choices) => choices <= 1 ? 0 : Math.Min(0.5, 1.0 / Count + 0.1);

        public double LogDensity(int d, double x)
        {
            for (int k = 0; k < Count; k++) _terms[k] = LogKernel(d, k, x);
            return LogMeanExp(_terms);
        }

        public double LogDensity(double[] x)
        {
            for (int k = 0; k < Count; k++)
            {
                double sum = 0;
                for (int d = 0; d < x.Length; d++) sum += LogKernel(d, k, x[d]);
                _terms[k] = sum;
            }
            return LogMeanExp(_terms);
        }

        double LogKernel(int d, int k, double x)
        {
            var dimension = _search.Space[d];
            if (IsChoice(d))
            {
                int choices = dimension.Choices!.Count;
                if (k == Count - 1 || choices <= 1) return -Math.Log(choices);
                double spread = ChoiceSpread(choices);
                return Math.Abs(x - _centres[k][d]) < 0.5 ? Math.Log(1 - spread + spread / choices) : Math.Log(spread / choices);
            }
            double z = (x - _centres[k][d]) / _sigmas[d][k];
            return _logNorm[d][k] - 0.5 * z * z;
        }

        /// <summary>log((1/n)·Σ e^t): terms more than 40 below the largest add under e^−40 each and are skipped (most kernels, far from x).</summary>
        static double LogMeanExp(double[] terms)
        {
            double max = double.NegativeInfinity;
            foreach (double t in terms) if (t > max) max = t;
            if (double.IsNegativeInfinity(max)) return max;
            double sum = 0, floor = max - 40;
            foreach (double t in terms) if (t > floor) sum += Math.Exp(t - max);
            return max + Math.Log(sum / terms.Length);
        }
    }

    /// <summary>A standard normal draw (Box–Muller).</summary>
    static double Gaussian(ref RunRandom random)
    {
        double u1 = 1.0 - random.NextDouble(), u2 = random.NextDouble();
        return Math.Sqrt(-2 * Math.Log(u1)) * Math.Cos(2 * Math.PI * u2);
    }

    static double NormalCdf(double z) => 0.5 * Erfc(-z / Math.Sqrt(2));

    /// <summary>The complementary error function, relative error below 1.2e-7 (Numerical Recipes' erfcc).</summary>
    static double Erfc(double x)
    {
        double z = Math.Abs(x), t = 1 / (1 + 0.5 * z);
        double r = t * Math.Exp(-z * z - 1.26551223 + t * (1.00002368 + t * (0.37409196 + t * (0.09678418 + t * (-0.18628806 +
                   t * (0.27886807 + t * (-1.13520398 + t * (1.48851587 + t * (-0.82215223 + t * 0.17087277)))))))));
        return x >= 0 ? r : 2 - r;
    }
}
