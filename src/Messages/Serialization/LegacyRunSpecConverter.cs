using System.Collections.Immutable;
using System.Text.Json;
using System.Text.Json.Serialization;
using ActorSweep.Messages.Runs;
using ActorSweep.Tasks;

namespace ActorSweep.Messages.Serialization;

/// <summary>
/// Upcasts a run written before runs carried typed definitions (manifest v1): its task, name,
/// seed and option text are read by the task's schema once, here, into today's
/// <see cref="RunSpec"/>. Options that no schema accepts any more fail the read with their name.
/// </summary>
public sealed class LegacyRunSpecConverter : JsonConverter<RunSpec>
{
    sealed record V1(string RunId, string Task, string Name, long Seed, ImmutableSortedDictionary<string, string> Options);

    public override RunSpec Read(ref Utf8JsonReader reader, Type typeToConvert, JsonSerializerOptions options)
    {
        var old = JsonSerializer.Deserialize<V1>(ref reader, options) ?? throw new JsonException("a run is null");
        var sorted = (old.Options ?? ImmutableSortedDictionary<string, string>.Empty).WithComparers(StringComparer.Ordinal);
        try
        {
            return new RunSpec(old.RunId, TaskSchemas.Define(old.Task, old.Name, old.Seed, sorted), sorted);
        }
        catch (ArgumentException e)
        {
            throw new JsonException($"run '{old.RunId}' of a v1 journal: {e.Message}");
        }
    }

    public override void Write(Utf8JsonWriter writer, RunSpec value, JsonSerializerOptions options) =>
        throw new NotSupportedException("v1 runs are only read; they are written in today's shape");
}
