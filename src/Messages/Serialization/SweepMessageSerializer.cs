using System.IO.Compression;
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
        if (obj is not ISweepSnapshot) return JsonSerializer.SerializeToUtf8Bytes(obj, obj.GetType(), Json);
        // A snapshot holds every run of its sweep (80 MB of JSON at 100,000 runs) and is read whole
        // on recovery: compressed, it is a tenth of that to store and to read back.
        var compressed = new MemoryStream();
        using (var gzip = new GZipStream(compressed, CompressionLevel.Fastest, leaveOpen: true))
            JsonSerializer.Serialize(gzip, obj, obj.GetType(), Json);
        return compressed.ToArray();
    }

    /// <summary>A payload's JSON: decompressed when it is a compressed snapshot, as it is otherwise.</summary>
    public static byte[] Decompress(byte[] bytes)
    {
        if (!IsCompressed(bytes)) return bytes;
        // gzip ends with the uncompressed length (mod 2³²): decompressing straight into an array of
        // that size skips a growing buffer and its final copy, which took most of the time at 90 MB.
        uint size = bytes.Length >= 18 ? System.Buffers.Binary.BinaryPrimitives.ReadUInt32LittleEndian(bytes.AsSpan(^4)) : 0;
        using var gzip = new GZipStream(new MemoryStream(bytes), CompressionMode.Decompress);
        if (size is > 0 and < int.MaxValue / 2)
        {
            var exact = new byte[size];
            int filled = 0;
            for (int n; filled < exact.Length && (n = gzip.Read(exact, filled, exact.Length - filled)) > 0;) filled += n;
            Span<byte> probe = stackalloc byte[1];
            int more = filled == exact.Length ? gzip.Read(probe) : 0;
            if (filled == exact.Length && more == 0) return exact;
            // The trailer lied (over 4 GB, or several members): keep what came out and read on.
            var rest = new MemoryStream();
            rest.Write(exact, 0, filled);
            rest.Write(probe[..more]);
            gzip.CopyTo(rest);
            return rest.ToArray();
        }
        var text = new MemoryStream();
        gzip.CopyTo(text);
        return text.ToArray();
    }

    /// <summary>True when a payload is gzip (a compressed snapshot) rather than JSON text.</summary>
    public static bool IsCompressed(ReadOnlySpan<byte> bytes) => bytes.Length >= 2 && bytes[0] == 0x1f && bytes[1] == 0x8b;

    /// <summary>
    /// The first <paramref name="limit"/> bytes of a payload's JSON, decompressing a snapshot's
    /// leading part only; what a truncated head yields is returned as far as it goes.
    /// </summary>
    public static byte[] JsonHead(byte[] head, int limit)
    {
        if (!IsCompressed(head)) return head;
        var text = new byte[limit];
        int filled = 0;
        try
        {
            using var gzip = new GZipStream(new MemoryStream(head), CompressionMode.Decompress);
            for (int n; filled < limit && (n = gzip.Read(text, filled, limit - filled)) > 0;) filled += n;
        }
        catch (InvalidDataException) { } // the head ends inside a block: keep what came out before it
        return text[..filled];
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
            var options = legacy ? LegacyJson : Json;
            // Decompressed whole, then read from memory: reading from a stream takes System.Text.Json's
            // resumable path, which costs twice as much for a snapshot of every run.
            return JsonSerializer.Deserialize(Decompress(bytes), type, options)
                   ?? throw new SerializationException($"message '{manifest}' is empty");
        }
        catch (Exception e) when (e is JsonException or InvalidDataException)
        {
            _log.Value?.Error("Refused a malformed '{0}' message: {1}", manifest, e.Message);
            throw new SerializationException($"malformed '{manifest}' message: {e.Message}", e);
        }
    }
}
