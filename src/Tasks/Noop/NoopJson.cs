using System.Text.Json;

namespace ActorSweep.Tasks.Noop;

/// <summary>
/// Reads a <see cref="NoopDefinition"/> in <see cref="TaskJson"/>'s form by hand. Noop sweeps are
/// the large ones (100,000 runs measure the runner), and System.Text.Json's per-object cost was
/// a tenth of a millisecond per definition here. Unknown fields are refused as TaskJson refuses
/// them; a test holds <see cref="Fields"/> to the record's constructor.
/// </summary>
static class NoopJson
{
    internal static readonly string[] Fields = ["name", "seed", "steps", "step_seconds", "checkpoint_every", "plateau", "rate"];

    public static RunDefinition Read(ref Utf8JsonReader r)
    {
        if (r.TokenType != JsonTokenType.StartObject) throw new JsonException("a noop definition is not an object");
        string? name = null;
        long seed = 0, steps = 0;
        double stepSeconds = 0, plateau = 1, rate = 0;
        int checkpointEvery = 0;
        bool hasSeed = false, hasSteps = false, hasEvery = false;
        while (r.Read() && r.TokenType == JsonTokenType.PropertyName)
        {
            string field = r.GetString()!;
            r.Read();
            switch (field)
            {
                case "task":
                    if (r.GetString() != NoopSchema.TaskName) throw new JsonException($"a noop definition names task '{r.GetString()}'");
                    break;
                case "name": name = r.GetString(); break;
                case "seed": seed = r.GetInt64(); hasSeed = true; break;
                case "steps": steps = r.GetInt64(); hasSteps = true; break;
                case "step_seconds": stepSeconds = r.GetDouble(); break;
                case "checkpoint_every": checkpointEvery = r.GetInt32(); hasEvery = true; break;
                case "plateau": plateau = r.GetDouble(); break;
                case "rate": rate = r.GetDouble(); break;
                default: throw new JsonException($"a noop definition has no field '{field}'");
            }
        }
        if (r.TokenType != JsonTokenType.EndObject) throw new JsonException($"a noop definition ends with {r.TokenType}");
        if (name is null || !hasSeed || !hasSteps || !hasEvery) throw new JsonException("a noop definition lacks name, seed, steps or checkpoint_every");
        return new NoopDefinition(name, seed, steps, stepSeconds, checkpointEvery, plateau, rate);
    }
}
