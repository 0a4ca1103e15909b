namespace ActorSweep.Messages;

/// <summary>
/// Every message that crosses a process boundary or is persisted. All of them are bound to
/// <see cref="Serialization.SweepMessageSerializer"/>, which gives each a stable manifest.
/// </summary>
public interface ISweepMessage;

/// <summary>Requests to the sweep supervisor, from the command line, the HTTP API or tests.</summary>
public interface ISweepCommand : ISweepMessage;

/// <summary>Answers and notifications the supervisor sends back to whoever asked or watches.</summary>
public interface ISweepReply : ISweepMessage;

/// <summary>Lifecycle events of one sweep, persisted in its journal ("sweep-{id}"). Never per-step metrics.</summary>
public interface ISweepEvent : ISweepMessage
{
    string SweepId { get; }
}

/// <summary>Events of the supervisor's registry of sweeps (journal "sweep-supervisor").</summary>
public interface ISupervisorEvent : ISweepMessage;

/// <summary>Persisted snapshots of actor state.</summary>
public interface ISweepSnapshot : ISweepMessage;

/// <summary>The pull protocol between node agents and the supervisor.</summary>
public interface IWorkMessage : ISweepMessage;
