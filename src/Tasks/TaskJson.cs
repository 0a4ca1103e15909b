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
        };
        foreach (var kind in Kinds) info.PolymorphismOptions.DerivedTypes.Add(new JsonDerivedType(kind.Type, kind.Name));
    }

    /// <summary>Each kind of definition and its task's name (the "task" field's value).</summary>
    static readonly (string Name, Type Type, ReadKind Read)[] Kinds =
    [
        (AdditionSchema.TaskName, typeof(AdditionDefinition), Reader<AdditionDefinition>()),
        (NoopSchema.TaskName, typeof(NoopDefinition), NoopJson.Read),
    ];

    delegate RunDefinition ReadKind(ref Utf8JsonReader reader);

    /// <summary>
    /// Reads each kind as its own type, its "task" field an ordinary one (checked against the
    /// kind): no polymorphic look-ahead. Large sweeps hold 100,000 definitions; reading them
    /// through the polymorphic path cost more than everything else in a snapshot.
    /// </summary>
    static readonly JsonSerializerOptions Concrete = ReadOnly(new(Options) { TypeInfoResolver = new DefaultJsonTypeInfoResolver { Modifiers = { TaskField } } });

    static JsonSerializerOptions ReadOnly(JsonSerializerOptions options)
    {
        options.MakeReadOnly(); // converters are called directly below, never through JsonSerializer, which would do this
        return options;
    }

    static void TaskField(JsonTypeInfo info)
    {
        if (info.Kind != JsonTypeInfoKind.Object || !info.Type.IsAssignableTo(typeof(RunDefinition))) return;
        string expected = Kinds.Single(k => k.Type == info.Type).Name;
        // The ignored Task property has this name too: replaced, not shadowed.
        foreach (var ignored in info.Properties.Where(p => p.Name == "task").ToList()) info.Properties.Remove(ignored);
        var task = info.CreateJsonPropertyInfo(typeof(string), "task");
        task.Set = (_, value) =>
        {
            if ((string?)value != expected) throw new JsonException($"a {expected} definition names task '{value}'");
        };
        info.Properties.Add(task);
    }

    static ReadKind Reader<T>() where T : RunDefinition => (ref Utf8JsonReader reader) =>
        ((JsonConverter<T>)Concrete.GetConverter(typeof(T))).Read(ref reader, typeof(T), Concrete) ?? throw new JsonException("a run definition is null");

    public static void Write(Utf8JsonWriter writer, RunDefinition value) => JsonSerializer.Serialize(writer, value, Options);

    /// <summary>A definition: by its own type when "task" leads it (as this form writes it), else through the polymorphic path.</summary>
    public static RunDefinition Read(ref Utf8JsonReader reader)
    {
        var probe = reader;
        if (reader.TokenType == JsonTokenType.StartObject && probe.Read() && probe.TokenType == JsonTokenType.PropertyName && probe.ValueTextEquals("task"u8)
            && probe.Read() && probe.TokenType == JsonTokenType.String)
            foreach (var kind in Kinds)
                if (probe.ValueTextEquals(kind.Name)) return kind.Read(ref reader);
        return JsonSerializer.Deserialize<RunDefinition>(ref reader, Options) ?? throw new JsonException("a run definition is null");
    }

    /// <summary>
    /// Lets another serializer (the message serializer, the API) write and read definitions in
    /// this form, whatever its own naming policy.
    /// </summary>
    public sealed class DefinitionConverter : JsonConverter<RunDefinition>
    {
        public override RunDefinition Read(ref Utf8JsonReader reader, Type typeToConvert, JsonSerializerOptions options) => TaskJson.Read(ref reader);

        public override void Write(Utf8JsonWriter writer, RunDefinition value, JsonSerializerOptions options) => TaskJson.Write(writer, value);
    }
}
