using System.Reflection;
using System.Text.Json;
using System.Text.Json.Serialization;

namespace ActorSweep.GpuNode.Tasks;

/// <summary>The JSON option names of a record's init properties, as its serializer options name them.</summary>
public static class OptionSchema
{
    public static IReadOnlyDictionary<string, Type> Of<T>(JsonSerializerOptions json) =>
        typeof(T).GetProperties(BindingFlags.Public | BindingFlags.Instance)
            .Where(p => p.CanWrite && p.GetCustomAttribute<JsonIgnoreAttribute>() is null)
            .ToDictionary(
                p => p.GetCustomAttribute<JsonPropertyNameAttribute>()?.Name ?? json.PropertyNamingPolicy?.ConvertName(p.Name) ?? p.Name,
                p => p.PropertyType);

    /// <summary>Parses <paramref name="json"/> as <paramref name="type"/>, or throws naming the option.</summary>
    public static object? Parse(string option, string json, Type type, JsonSerializerOptions options)
    {
        try
        {
            return JsonSerializer.Deserialize(json, type, options);
        }
        catch (JsonException)
        {
            throw new ArgumentException($"option '{option}': {json} is not {Describe(type)}");
        }
    }

    public static string Describe(Type type)
    {
        type = Nullable.GetUnderlyingType(type) ?? type;
        if (type == typeof(int) || type == typeof(long)) return "an integer";
        if (type == typeof(double) || type == typeof(float)) return "a number";
        if (type == typeof(bool)) return "true or false";
        if (type.IsEnum)
            return "one of " + string.Join(", ", type.GetFields(BindingFlags.Public | BindingFlags.Static)
                .Select(f => f.GetCustomAttribute<JsonStringEnumMemberNameAttribute>()?.Name ?? f.Name));
        if (type == typeof(string)) return "a string";
        return $"a valid {type.Name}";
    }

    /// <summary>The closest known name, for "did you mean" hints.</summary>
    public static string? Closest(string name, IEnumerable<string> known)
    {
        var best = known.Select(k => (k, d: Distance(name, k))).OrderBy(x => x.d).FirstOrDefault();
        return best.k is not null && best.d <= Math.Max(2, name.Length / 3) ? best.k : null;
    }

    static int Distance(string a, string b)
    {
        var d = new int[a.Length + 1, b.Length + 1];
        for (int i = 0; i <= a.Length; i++) d[i, 0] = i;
        for (int j = 0; j <= b.Length; j++) d[0, j] = j;
        for (int i = 1; i <= a.Length; i++)
            for (int j = 1; j <= b.Length; j++)
                d[i, j] = Math.Min(Math.Min(d[i - 1, j] + 1, d[i, j - 1] + 1), d[i - 1, j - 1] + (a[i - 1] == b[j - 1] ? 0 : 1));
        return d[a.Length, b.Length];
    }
}
