using System.Reflection;
using System.Text.Json;
using System.Text.Json.Serialization;

namespace ActorSweep.Tasks;

/// <summary>
/// One option's value as a sweep file gave it: its canonical JSON text (what the sweep's content
/// hash and the results show) and the typed value read from it, once.
/// </summary>
public sealed record OptionValue(string Name, string Json, object Value);

/// <summary>
/// A task's options: for each name, how its JSON text is read into a typed value (once, at the
/// edge) and how that value changes a draft of the definition.
/// </summary>
public sealed class OptionTable<TDraft>(string task)
{
    readonly Dictionary<string, (Func<string, object> Read, Func<TDraft, object, TDraft> Apply)> _options = new(StringComparer.Ordinal);

    /// <summary>An option read as <typeparamref name="T"/> (its JSON type), or by <paramref name="read"/> when given.</summary>
    public OptionTable<TDraft> Add<T>(string name, Func<TDraft, T, TDraft> apply, Func<string, T>? read = null) where T : notnull
    {
        read ??= json => (T)Parse(name, json, typeof(T))!;
        _options.Add(name, (json => read(json), (draft, value) => apply(draft, (T)value)));
        return this;
    }

    public IReadOnlyCollection<string> Names => _options.Keys;

    /// <summary>Reads one option; <see cref="ArgumentException"/> naming it when the name or the value is wrong.</summary>
    public OptionValue Read(string name, string json)
    {
        if (!_options.TryGetValue(name, out var option))
            throw new ArgumentException($"'{name}' is not an option of task '{task}'" + Suggestions.DidYouMean(name, _options.Keys));
        return new OptionValue(name, json, option.Read(json));
    }

    public TDraft Apply(TDraft draft, OptionValue value) => _options[value.Name].Apply(draft, value.Value);

    /// <summary>Parses <paramref name="json"/> as <paramref name="type"/>, or throws naming the option.</summary>
    public static object? Parse(string option, string json, Type type)
    {
        try
        {
            return JsonSerializer.Deserialize(json, type, TaskJson.Options) ?? throw new JsonException();
        }
        catch (JsonException)
        {
            throw new ArgumentException($"option '{option}': {json} is not {Describe(type)}");
        }
    }

    static string Describe(Type type)
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
}
