namespace ActorSweep.Tasks;

/// <summary>Independent random streams of one run, each keyed by the run's seed.</summary>
public enum RandomStream : ulong
{
    TrainingData = 1,
    Validation = 2,
    Test = 3,
    Initialization = 4,
    /// <summary>Random search over sweep options (keyed by the search seed, not a run's).</summary>
    Search = 5,
}

/// <summary>
/// A generator whose draws are a pure function of (seed, stream, counter): xoshiro256** started
/// from a SplitMix64 hash of the three. The training data of step s is drawn from
/// (seed, TrainingData, s), so a run resumed at step s sees exactly the data an uninterrupted
/// run would, and no two runs or threads share generator state.
/// </summary>
public struct RunRandom
{
    ulong _s0, _s1, _s2, _s3;

    public RunRandom(long seed, RandomStream stream, long counter)
    {
        ulong x = SplitMix(SplitMix((ulong)seed) ^ SplitMix((ulong)stream * 0x9E3779B97F4A7C15UL) ^ SplitMix((ulong)counter + 0x632BE59BD9B4E019UL));
        _s0 = SplitMix(ref x); _s1 = SplitMix(ref x); _s2 = SplitMix(ref x); _s3 = SplitMix(ref x);
    }

    public ulong NextUInt64()
    {
        ulong result = RotateLeft(_s1 * 5, 7) * 9;
        ulong t = _s1 << 17;
        _s2 ^= _s0; _s3 ^= _s1; _s1 ^= _s2; _s0 ^= _s3;
        _s2 ^= t;
        _s3 = RotateLeft(_s3, 45);
        return result;
    }

    /// <summary>Uniform in [0, maxExclusive), without modulo bias.</summary>
    public long NextInt64(long maxExclusive)
    {
        if (maxExclusive <= 0) throw new ArgumentOutOfRangeException(nameof(maxExclusive));
        ulong n = (ulong)maxExclusive;
        ulong limit = ulong.MaxValue - (ulong.MaxValue % n + 1) % n; // largest multiple of n, minus 1
        ulong r;
        do r = NextUInt64(); while (r > limit);
        return (long)(r % n);
    }

    /// <summary>Uniform in [min, max], inclusive.</summary>
    public int NextInt(int min, int max) => min + (int)NextInt64((long)max - min + 1);

    /// <summary>Uniform in [0, 1) with 53 random bits.</summary>
    public double NextDouble() => (NextUInt64() >> 11) * (1.0 / (1UL << 53));

    static ulong SplitMix(ref ulong x)
    {
        x += 0x9E3779B97F4A7C15UL;
        return SplitMix(x);
    }

    static ulong SplitMix(ulong z)
    {
        z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9UL;
        z = (z ^ (z >> 27)) * 0x94D049BB133111EBUL;
        return z ^ (z >> 31);
    }

    static ulong RotateLeft(ulong x, int k) => (x << k) | (x >> (64 - k));
}
