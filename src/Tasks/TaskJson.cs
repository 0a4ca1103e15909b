using System.Text.Json;
using System.Text.Json.Serialization;
using System.Text.Json.Serialization.Metadata;
using ActorSweep.Tasks.Addition;
using ActorSweep.Tasks.Noop;

namespace ActorSweep.Tasks;

/// <summary>
/// The one JSON form of run definitions, wherever they are stored or sent: the journal, the wire,
/// the HTTP API and checkpoint headers. snake_case, the sweep file's option names.
/// </summary>
public static class TaskJson
{
    public static readonly JsonSerializerOptions Options = new()
    {
        PropertyNamingPolicy = JsonNamingPolicy.SnakeCaseLower,
        WriteIndented = false,
        NumberHandling = JsonNumberHandling.AllowNamedFloatingPointLiterals,
        UnmappedMemberHandling = JsonUnmappedMemberHandling.Disallow,
        // The "task" discriminator need not come first (hand-written or reordered JSON).
        AllowOutOfOrderMetadataProperties = true,
        TypeInfoResolver = new DefaultJsonTypeInfoResolver { Modifiers = { TaskKinds } },
    };

    /// <summary>
    /// Each kind of definition under its task's name. Declared here rather than as attributes on
    /// <see cref="RunDefinition"/>, so serializers that embed this form (through
    /// <see cref="DefinitionConverter"/>) see no polymorphism of their own.
    /// </summary>
    static void TaskKinds(JsonTypeInfo info)
    {
        if (info.Type != typeof(RunDefinition)) return;
        info.PolymorphismOptions = new JsonPolymorphismOptions
        {
            TypeDiscriminatorPropertyName = "task",
            UnknownDerivedTypeHandling = JsonUnknownDerivedTypeHandling.FailSerialization,
            DerivedTypes =
            {
                new JsonDerivedType(typeof(AdditionDefinition), AdditionSchema.TaskName),
                new JsonDerivedType(typeof(NoopDefinition), NoopSchema.TaskName),
            },
        };
    }

    /// <summary>
    /// Lets another serializer (the message serializer, the API) write and read definitions in
    /// this form, whatever its own naming policy.
    /// </summary>
    public sealed class DefinitionConverter : JsonConverter<RunDefinition>
    {
        public override RunDefinition Read(ref Utf8JsonReader reader, Type typeToConvert, JsonSerializerOptions options) =>
            JsonSerializer.Deserialize<RunDefinition>(ref reader, Options) ?? throw new JsonException("a run definition is null");

        public override void Write(Utf8JsonWriter writer, RunDefinition value, JsonSerializerOptions options) =>
            JsonSerializer.Serialize(writer, value, Options);
    }
}
