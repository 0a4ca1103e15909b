using System.Collections.Immutable;
using ActorSweep.Messages.Runs;

namespace ActorSweep.Messages.Sweeps;

/// <summary>
/// A validated, expanded sweep: every run it will train and how often a failed run is retried.
/// <see cref="Hash"/> identifies the content: submitting the same definition again resumes the
/// sweep; a different one under the same id is refused. A running run whose node sends no word
/// (progress or report) for <see cref="LeaseSeconds"/> is taken back and resumed elsewhere.
/// <see cref="Scheduler"/> pauses, promotes and prunes runs, and <see cref="Stop"/> ends runs and
/// the sweep early; without them every run trains its whole budget. <see cref="Search"/> chooses
/// the options of trials from the results of earlier ones (their specs here are the random draws
/// it may replace, see <see cref="RunSuggested"/>).
/// </summary>
public sealed record SweepDefinition(string SweepId, string Task, int RetryLimit, ImmutableList<RunSpec> Runs, string Source, string Hash,
                                     int LeaseSeconds = SweepDefinition.DefaultLeaseSeconds, SchedulerSpec? Scheduler = null, StopSpec? Stop = null,
                                     TpeSearch? Search = null)
{
    public const int DefaultLeaseSeconds = 300;
}
