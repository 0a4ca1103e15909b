using ActorSweep.Tasks.Addition;
using ActorSweep.Tasks.Noop;

namespace ActorSweep.Tasks;

/// <summary>
/// A kind of run a sweep can hold: its option names, how one option is read, and how a run's
/// options become its typed <see cref="RunDefinition"/>. Errors are <see cref="ArgumentException"/>s
/// that name the option.
/// </summary>
public interface ITaskSchema
{
    string Name { get; }
    IReadOnlyCollection<string> OptionNames { get; }
    /// <summary>Reads one option's JSON text into its typed value, checking its type and its own range.</summary>
    OptionValue Read(string name, string json);
    /// <summary>The run's definition from options read by <see cref="Read"/>, checking the rules that span options.</summary>
    RunDefinition Define(string name, long seed, IReadOnlyCollection<OptionValue> options);
    /// <summary>
    /// Numeric options a run may change in the middle of its training (what population-based
    /// training perturbs): they act step by step, so a checkpoint resumes under a new value. Never
    /// a model-shape option: a checkpoint's weights hold the shape.
    /// </summary>
    IReadOnlyCollection<string> MutableOptions { get; }
}

/// <summary>The task kinds a sweep may name.</summary>
public static class TaskSchemas
{
    static readonly IReadOnlyDictionary<string, ITaskSchema> All =
        new ITaskSchema[] { new AdditionSchema(), new NoopSchema() }.ToDictionary(t => t.Name);

    public static IReadOnlyCollection<string> Names => All.Keys.ToList();

    public static ITaskSchema Get(string name) =>
        All.TryGetValue(name, out var task)
            ? task
            : throw new ArgumentException($"unknown task '{name}'; known tasks: {string.Join(", ", All.Keys)}");

    /// <summary>Reads every option and defines the run: for options kept as text (journals written before definitions were typed, and options a searcher or PBT chose).</summary>
    public static RunDefinition Define(string task, string name, long seed, IReadOnlyDictionary<string, string> options)
    {
        var schema = Get(task);
        return schema.Define(name, seed, options.Select(o => schema.Read(o.Key, o.Value)).ToList());
    }
}
