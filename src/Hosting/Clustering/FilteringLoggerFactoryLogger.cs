using Akka.Event;
using Akka.Hosting.Logging;
using ActorSweep.Hosting.Security;

namespace ActorSweep.Hosting.Clustering;

/// <summary>
/// Akka's logs into the host's loggers (Akka.Hosting's <see cref="LoggerFactoryLogger"/>), less
/// the repeats <see cref="RefusedConnectionLogFilter"/> drops: Akka.Hosting's logger does not
/// apply Akka's log filters itself.
/// </summary>
public sealed class FilteringLoggerFactoryLogger : LoggerFactoryLogger
{
    static readonly RefusedConnectionLogFilter Refused = new();

    protected override bool Receive(object message) =>
        message is LogEvent e && Refused.ShouldKeepMessage(e, e.ToString()) == LogFilterDecision.Drop || base.Receive(message);
}
