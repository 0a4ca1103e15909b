namespace ActorSweep.Tests.Infrastructure;

/// <summary>Waits for a condition that becomes true on its own (a write that follows another), polling, with a deadline.</summary>
public static class Eventually
{
    public static async Task TrueAsync(Func<bool> condition, TimeSpan timeout, string what)
    {
        var deadline = DateTime.UtcNow + timeout;
        while (!condition())
        {
            if (DateTime.UtcNow > deadline) Assert.Fail($"timed out after {timeout} waiting for {what}");
            await Task.Delay(50);
        }
    }
}
