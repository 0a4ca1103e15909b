using System.Buffers.Binary;
using System.Diagnostics;
using System.Text.Json;
using ActorSweep.Messages.Results;
using ActorSweep.Messages.Runs;

namespace ActorSweep.GpuNode.Tasks;

/// <summary>
/// A run that trains nothing: <c>steps</c> empty steps (each lasting <c>step_seconds</c>),
/// checkpoints every <c>checkpoint_every</c>. It measures the runner itself and lets tests drive
/// the supervisor, node agents and persistence without a model.
/// </summary>
public sealed class NoopTask : IRunTask
{
    static readonly Dictionary<string, Type> Options = new()
    {
        ["steps"] = typeof(long),
        ["step_seconds"] = typeof(double),
        ["checkpoint_every"] = typeof(int),
    };

    public string Name => "noop";
    public IReadOnlyCollection<string> OptionNames => Options.Keys;

    public void ValidateOption(string name, string json)
    {
        if (!Options.TryGetValue(name, out var type))
        {
            string? hint = OptionSchema.Closest(name, Options.Keys);
            throw new ArgumentException($"'{name}' is not an option of task '{Name}'" + (hint is null ? "" : $" (did you mean '{hint}'?)"));
        }
        var value = Convert.ToDouble(OptionSchema.Parse(name, json, type, JsonSerializerOptions.Default));
        if (value < (name == "checkpoint_every" ? 1 : 0))
            throw new ArgumentException($"option '{name}': {json} is out of range");
    }

    public void Validate(RunSpec run)
    {
        foreach (var (name, json) in run.Options) ValidateOption(name, json);
    }

    public IRunSession Start(RunSpec run, byte[]? checkpoint)
    {
        Validate(run);
        long steps = Get(run, "steps", 1L);
        var session = new NoopSession(run.Seed, steps, Get(run, "step_seconds", 0.0), (int)Math.Min(Get(run, "checkpoint_every", (long)Math.Max(1, steps)), int.MaxValue));
        if (checkpoint is not null)
        {
            if (checkpoint.Length != 8) throw new InvalidDataException($"checkpoint of run '{run.RunId}' is not a noop checkpoint");
            session.Step = BinaryPrimitives.ReadInt64LittleEndian(checkpoint);
        }
        return session;
    }

    static T Get<T>(RunSpec run, string name, T fallback) =>
        run.Options.TryGetValue(name, out var json) ? JsonSerializer.Deserialize<T>(json)! : fallback;

    sealed class NoopSession(long seed, long steps, double stepSeconds, int checkpointEvery) : IRunSession
    {
        public long Step { get; set; }
        public long TotalSteps => steps;
        public int CheckpointEvery => checkpointEvery;
        public double? LastLoss => null;
        public double? LastValidation => null;
        public double ComputeSeconds { get; private set; }

        public void TrainStep()
        {
            if (stepSeconds > 0)
            {
                long start = Stopwatch.GetTimestamp();
                Thread.Sleep(TimeSpan.FromSeconds(stepSeconds));
                ComputeSeconds += Stopwatch.GetElapsedTime(start).TotalSeconds;
            }
            Step++;
        }

        public byte[] Checkpoint()
        {
            var bytes = new byte[8];
            BinaryPrimitives.WriteInt64LittleEndian(bytes, Step);
            return bytes;
        }

        public RunReport Finish() => new("noop", 0, Step, seed, 0, 1, [], [], 0, 1, null, null, ComputeSeconds, [], []);

        public void Dispose() { }
    }
}
