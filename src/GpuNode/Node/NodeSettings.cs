using System.Collections.Immutable;
using ActorSweep.Hosting.Storage;
using ActorSweep.Messages.Work;

namespace ActorSweep.GpuNode.Node;

/// <summary>How a node agent works: its id, slot count, device and checkpoint store, and its timings.</summary>
public sealed record NodeSettings(string NodeId, int Slots, string Device, ICheckpointStore Checkpoints)
{
    /// <summary>Unacknowledged reports are sent again this often.</summary>
    public TimeSpan ResendInterval { get; init; } = TimeSpan.FromSeconds(2);
    /// <summary>A node with free slots asks again this often even without a WorkAvailable (which can be lost when the supervisor moves).</summary>
    public TimeSpan IdleRetryInterval { get; init; } = TimeSpan.FromSeconds(5);
    /// <summary>Live progress is sent at most this often per run.</summary>
    public TimeSpan ProgressInterval { get; init; } = TimeSpan.FromSeconds(0.5);
    /// <summary>The largest model (parameters) this node trains; larger runs are left to other nodes. Null: no bound.</summary>
    public long? MaxParameters { get; init; }
    /// <summary>The only sweeps whose runs this node takes; null: any sweep's.</summary>
    public ImmutableList<string>? OnlySweeps { get; init; }
    /// <summary>Fault drills and tests: return true to make the training actor throw before training that step.</summary>
    public Func<RunAssignment, long, bool>? InjectFault { get; init; }
}
