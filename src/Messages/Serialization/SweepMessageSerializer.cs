using System.Runtime.Serialization;
using System.Text.Json;
using System.Text.Json.Serialization;
using Akka.Actor;
using Akka.Event;
using Akka.Serialization;
using ActorSweep.Tasks;

namespace ActorSweep.Messages.Serialization;

/// <summary>
/// The one serializer of every <see cref="ISweepMessage"/>: System.Text.Json with the stable
/// manifests of <see cref="MessageManifests"/>. An unknown manifest or malformed payload is
/// logged and refused with a <see cref="SerializationException"/>; remoting drops such a message
/// instead of crashing.
/// </summary>
public sealed class SweepMessageSerializer : SerializerWithStringManifest
{
    /// <summary>Serializer id in the actor system's configuration; Akka reserves 0–100.</summary>
    public const int Id = 7301;
    public const string Name = "actorsweep";

    /// <summary>The JSON of every message (also the HTTP API's): web names, enums as text, run definitions in their own form.</summary>
    public static readonly JsonSerializerOptions Json = new(JsonSerializerDefaults.Web)
    {
        Converters = { new JsonStringEnumConverter(), new TaskJson.DefinitionConverter() },
        NumberHandling = JsonNumberHandling.AllowNamedFloatingPointLiterals,
    };

    /// <summary>For manifests of an older shape: runs written as option text get their typed definitions.</summary>
    static readonly JsonSerializerOptions LegacyJson = new(Json) { Converters = { new LegacyRunSpecConverter() } };

    // Created on first use: serializers are built while the actor system is still starting.
    readonly Lazy<ILoggingAdapter?> _log;

    public SweepMessageSerializer(ExtendedActorSystem system) : base(system)
    {
        _log = new(() => system is null ? null : Logging.GetLogger(system, typeof(SweepMessageSerializer)));
    }

    public override int Identifier => Id;

    public override string Manifest(object o) =>
        MessageManifests.ManifestOf(o.GetType())
        ?? throw new ArgumentException($"{o.GetType().FullName} has no manifest in {nameof(MessageManifests)}");

    public override byte[] ToBinary(object obj)
    {
        Manifest(obj); // refuse types without a stable manifest before writing anything
        return JsonSerializer.SerializeToUtf8Bytes(obj, obj.GetType(), Json);
    }

    public override object FromBinary(byte[] bytes, string manifest)
    {
        if (!MessageManifests.TryGetType(manifest, out var type, out bool legacy))
        {
            _log.Value?.Error("Refused a message with unknown manifest '{0}' ({1} bytes)", manifest, bytes.Length);
            throw new SerializationException($"unknown message manifest '{manifest}'");
        }
        try
        {
            return JsonSerializer.Deserialize(bytes, type, legacy ? LegacyJson : Json)
                   ?? throw new SerializationException($"message '{manifest}' is empty");
        }
        catch (JsonException e)
        {
            _log.Value?.Error("Refused a malformed '{0}' message: {1}", manifest, e.Message);
            throw new SerializationException($"malformed '{manifest}' message: {e.Message}", e);
        }
    }
}
