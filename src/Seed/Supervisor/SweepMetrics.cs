using ActorSweep.Messages;
using ActorSweep.Messages.Sweeps;
using ActorSweep.Telemetry.Metrics;

namespace ActorSweep.Seed.Supervisor;

/// <summary>Counts a sweep's written events into the supervisor's instruments.</summary>
public static class SweepMetrics
{
    public static void Record(IEnumerable<ISweepEvent> written, KeyValuePair<string, object?> sweep)
    {
        foreach (var e in written)
            switch (e)
            {
                case RunAssigned:
                    SupervisorMetrics.Assignments.Add(1, sweep);
                    break;
                case RunCompleted:
                    SupervisorMetrics.Completions.Add(1, sweep);
                    break;
                case RunFailed f:
                    SupervisorMetrics.Failures.Add(1, sweep, new("final", f.Final ? "true" : "false"));
                    break;
                case RunPaused:
                    SupervisorMetrics.Pauses.Add(1, sweep);
                    break;
                case RunPromoted p:
                    SupervisorMetrics.Promotions.Add(1, sweep, new("by", p.Reason == "promoted by hand" ? "hand" : "scheduler"));
                    break;
                case RunPruned:
                    SupervisorMetrics.Prunings.Add(1, sweep);
                    break;
                case RunRequeued r:
                    SupervisorMetrics.Requeues.Add(1, sweep, new("reason", ReasonOf(r.Reason)));
                    break;
            }
    }

    /// <summary>A requeue's reason as one of a few label values (the full text stays in the journal).</summary>
    public static string ReasonOf(string reason) =>
        reason.StartsWith("lease expired") ? "lease_expired"
        : reason.Contains("left the cluster") ? "node_lost"
        : reason.StartsWith("released by") ? "released"
        : reason.StartsWith("attempt") ? "failed"
        : "other";
}
