using System.Text.Json;
using System.Text.Json.Serialization;

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
    };

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
