using System.Buffers.Binary;
using System.Diagnostics;
using ActorSweep.Messages.Results;
using ActorSweep.Tasks.Noop;

namespace ActorSweep.GpuNode.Runs;

/// <summary>A run that trains nothing (see <see cref="NoopDefinition"/>); its checkpoint is its step.</summary>
public sealed class NoopSession(NoopDefinition definition) : IRunSession
{
    public static NoopSession Start(NoopDefinition definition, byte[]? checkpoint)
    {
        var session = new NoopSession(definition);
        if (checkpoint is not null)
        {
            if (checkpoint.Length != 8) throw new InvalidDataException($"checkpoint of run '{definition.Name}' is not a noop checkpoint");
            session.Step = BinaryPrimitives.ReadInt64LittleEndian(checkpoint);
        }
        return session;
    }

    public long Step { get; private set; }
    public long TotalSteps => definition.Steps;
    public double? LastLoss => definition.Rate == 0 ? null : 1 - LastValidation;
    public double? LastValidation => definition.Rate == 0 ? null : definition.ValidationAt(Step);
    public double? LastValidationLoss => LastLoss;
    public double ComputeSeconds { get; private set; }

    public bool TrainStep()
    {
        if (definition.StepSeconds > 0)
        {
            long start = Stopwatch.GetTimestamp();
            Thread.Sleep(TimeSpan.FromSeconds(definition.StepSeconds));
            ComputeSeconds += Stopwatch.GetElapsedTime(start).TotalSeconds;
        }
        Step++;
        return definition.Rate != 0; // a made-up curve is "evaluated" after every step
    }

    public byte[] Checkpoint()
    {
        var bytes = new byte[8];
        BinaryPrimitives.WriteInt64LittleEndian(bytes, Step);
        return bytes;
    }

    public RunReport Finish()
    {
        double result = definition.ValidationAt(Step);
        return new("noop", 0, Step, definition.Seed, 1 - result, result, [], [], 0, result, null, null, ComputeSeconds, [], []);
    }

    public void Dispose() { }
}
