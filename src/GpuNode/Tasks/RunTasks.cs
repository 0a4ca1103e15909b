using ActorSweep.Messages.Runs;

namespace ActorSweep.GpuNode.Tasks;

/// <summary>The task kinds a sweep may name.</summary>
public static class RunTasks
{
    static readonly IReadOnlyDictionary<string, IRunTask> All = new IRunTask[] { new AdditionTask(), new NoopTask() }.ToDictionary(t => t.Name);

    public static IReadOnlyCollection<string> Names => All.Keys.ToList();

    public static IRunTask Get(string name) =>
        All.TryGetValue(name, out var task)
            ? task
            : throw new ArgumentException($"unknown task '{name}'; known tasks: {string.Join(", ", All.Keys)}");

    public static IRunSession Start(RunSpec run, byte[]? checkpoint) => Get(run.Task).Start(run, checkpoint);
}
