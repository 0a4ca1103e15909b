using System.Text.RegularExpressions;

namespace ActorSweep.Messages.Sweeps;

/// <summary>
/// The one rule for sweep ids (a sweep file's <c>name</c>, the API's <c>{id}</c>): 1-64 ASCII
/// letters, digits, '.', '_' or '-', starting with a letter or digit, so an id is also a safe
/// file and folder name (reports/ID, checkpoint folders).
/// </summary>
public static partial class SweepId
{
    public const string Rule = "1-64 letters, digits, '.', '_' or '-', starting with a letter or digit";

    [GeneratedRegex(@"^[A-Za-z0-9][A-Za-z0-9._-]{0,63}\z")]
    private static partial Regex Pattern();

    public static bool IsValid(string? id) => id is not null && Pattern().IsMatch(id);
}
