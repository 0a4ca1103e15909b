namespace ActorSweep.Hosting;

/// <summary>
/// The one exponential back-off of every component that waits out an outage (sweep actors, nodes,
/// the journal index): <paramref name="first"/> after the first failure in a row, doubling with
/// each further one, never more than <paramref name="cap"/>.
/// </summary>
public static class Backoff
{
    public static TimeSpan Delay(int failuresInARow, TimeSpan first, TimeSpan cap) =>
        TimeSpan.FromTicks((long)Math.Min(cap.Ticks, first.Ticks * Math.Pow(2, Math.Max(0, failuresInARow - 1))));
}
