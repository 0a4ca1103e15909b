using System.Collections.Concurrent;
using System.Text.RegularExpressions;
using Akka.Event;

namespace ActorSweep.Hosting.Security;

/// <summary>
/// Keeps the first of Akka's log lines about a refused inbound connection (a failed TLS
/// handshake, plain TCP sent to a TLS port) per remote host and kind, and drops the rest: an
/// outsider retries every few seconds for as long as it runs, and each attempt would otherwise
/// log three lines. Other log lines pass untouched.
/// </summary>
public sealed partial class RefusedConnectionLogFilter : LogFilterBase
{
    readonly ConcurrentDictionary<string, byte> _seen = new();

    public override LogFilterType FilterType => LogFilterType.Content;

    public override LogFilterDecision ShouldKeepMessage(LogEvent content, string? expandedMessage = null)
    {
        string message = expandedMessage ?? content.ToString() ?? ""; // with its cause: "not an SSL/TLS record" is the exception's
        string? kind = message.Contains("due to TLS handshake failure") ? "rejected"
            : message.Contains("not an SSL/TLS record") ? "not TLS"
            : message.Contains("TLS handshake fail") ? "handshake failed"
            : null;
        if (kind is null) return LogFilterDecision.NoDecision;
        // The remote's host, without its ephemeral port: [::ffff:127.0.0.1]:34206 -> ::ffff:127.0.0.1.
        var remote = RemoteHost().Matches(message).Select(m => m.Groups["host"].Value).LastOrDefault() ?? "?";
        return _seen.TryAdd($"{kind}|{remote}", 0) ? LogFilterDecision.Keep : LogFilterDecision.Drop;
    }

    [GeneratedRegex(@"\[(?<host>[0-9a-fA-F:.]+)\]:\d+")]
    private static partial Regex RemoteHost();
}
