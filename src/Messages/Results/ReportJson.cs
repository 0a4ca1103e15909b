using System.Text.Json;
using System.Text.Json.Serialization;

namespace ActorSweep.Messages.Results;

/// <summary>The JSON form of reports written for people and tools: snake_case, indented.</summary>
public static class ReportJson
{
    public static readonly JsonSerializerOptions Options = new()
    {
        PropertyNamingPolicy = JsonNamingPolicy.SnakeCaseLower,
        WriteIndented = true,
        NumberHandling = JsonNumberHandling.AllowNamedFloatingPointLiterals,
    };
}
