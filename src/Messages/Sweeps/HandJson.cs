using System.Globalization;
using System.Text.Json;

namespace ActorSweep.Messages.Sweeps;

/// <summary>
/// What the hand-written snapshot readers and writers share: property names encoded once,
/// numbers as the message serializer writes them, and the checks that make a malformed
/// snapshot a <see cref="JsonException"/> naming what was wrong.
/// </summary>
static class HandJson
{
    /// <summary>Property names as <paramref name="options"/>' naming policy writes them.</summary>
    public static JsonEncodedText[] Encode(JsonSerializerOptions options, params string[] properties) =>
        [.. properties.Select(p => JsonEncodedText.Encode(options.PropertyNamingPolicy?.ConvertName(p) ?? p))];

    /// <summary>Which of <paramref name="names"/> the reader's property name is, or -1.</summary>
    public static int Find(ref Utf8JsonReader reader, JsonEncodedText[] names)
    {
        for (int i = 0; i < names.Length; i++)
            if (reader.ValueTextEquals(names[i].EncodedUtf8Bytes)) return i;
        return -1;
    }

    /// <summary>Moves to the next property name of the object being read; false at its end.</summary>
    public static bool NextProperty(ref Utf8JsonReader r)
    {
        r.Read();
        if (r.TokenType == JsonTokenType.EndObject) return false;
        if (r.TokenType != JsonTokenType.PropertyName) throw new JsonException($"expected a property name, found {r.TokenType}");
        return true;
    }

    public static void Expect(ref Utf8JsonReader r, JsonTokenType token, string what)
    {
        if (r.TokenType != token) throw new JsonException($"{what} is not {(token == JsonTokenType.StartArray ? "a list" : "an object")} ({r.TokenType})");
    }

    // Doubles as the message serializer writes them (AllowNamedFloatingPointLiterals): NaN and the infinities as strings.
    public static void WriteDouble(Utf8JsonWriter w, JsonEncodedText name, double? value)
    {
        w.WritePropertyName(name);
        if (value is { } v) WriteDouble(w, v);
        else w.WriteNullValue();
    }

    public static void WriteDouble(Utf8JsonWriter w, double v)
    {
        if (double.IsFinite(v)) w.WriteNumberValue(v);
        else w.WriteStringValue(v.ToString(CultureInfo.InvariantCulture));
    }

    public static double? ReadDouble(ref Utf8JsonReader r) => r.TokenType switch
    {
        JsonTokenType.Null => null,
        JsonTokenType.Number => r.GetDouble(),
        JsonTokenType.String => r.GetString() switch
        {
            "NaN" => double.NaN,
            "Infinity" => double.PositiveInfinity,
            "-Infinity" => double.NegativeInfinity,
            var s => throw new JsonException($"'{s}' is not a number"),
        },
        _ => throw new JsonException($"expected a number, found {r.TokenType}"),
    };

    public static double[]? ReadDoubles(ref Utf8JsonReader r)
    {
        if (r.TokenType == JsonTokenType.Null) return null;
        Expect(ref r, JsonTokenType.StartArray, "a list of numbers");
        var values = new List<double>();
        while (r.Read() && r.TokenType != JsonTokenType.EndArray) values.Add(ReadDouble(ref r) ?? throw new JsonException("a null in a list of numbers"));
        return [.. values];
    }
}
