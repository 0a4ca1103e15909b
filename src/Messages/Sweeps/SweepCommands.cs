namespace ActorSweep.Messages.Sweeps;

/// <summary>Start a sweep, or resume it if the same definition was submitted before.</summary>
public sealed record SubmitSweep(SweepDefinition Definition) : ISweepCommand;

/// <summary>Asks for one sweep's state; answered with <see cref="SweepStateReply"/>.</summary>
public sealed record GetSweepState(string SweepId) : ISweepCommand;

/// <summary>Asks for every sweep's summary; answered with <see cref="SweepList"/>.</summary>
public sealed record ListSweeps : ISweepCommand;

/// <summary>Stops handing out a sweep's runs; running ones are released. Answered with <see cref="SweepStateReply"/> or <see cref="SweepRejected"/>.</summary>
public sealed record CancelSweep(string SweepId, string Reason) : ISweepCommand;

/// <summary>The sender receives <see cref="Work.RunProgress"/>, <see cref="SweepChanged"/> and <see cref="SweepFinished"/> for the sweep.</summary>
public sealed record WatchSweep(string SweepId) : ISweepCommand;

public sealed record UnwatchSweep(string SweepId) : ISweepCommand;

/// <summary>
/// A user overrules the scheduler: a paused or pruned run goes back to the queue and trains on
/// to its next rung. Answered with <see cref="SweepStateReply"/>, or <see cref="SweepRejected"/> saying why not.
/// </summary>
public sealed record PromoteRun(string SweepId, string RunId) : ISweepCommand;
