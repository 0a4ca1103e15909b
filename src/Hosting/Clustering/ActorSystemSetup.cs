using Akka.Hosting;
using ActorSweep.Messages;
using ActorSweep.Messages.Serialization;
using Microsoft.Extensions.Logging;

namespace ActorSweep.Hosting.Clustering;

public static class ActorSystemSetup
{
    /// <summary>
    /// What every ActorSweep actor system needs, clustered or not (a journal reader is not): the
    /// one serializer of every <see cref="ISweepMessage"/>, and Akka's logs through the host's
    /// loggers at <paramref name="level"/> (debug only when the host logs debug).
    /// </summary>
    public static AkkaConfigurationBuilder WithSerializationAndLogging(this AkkaConfigurationBuilder akka, LogLevel level) =>
        akka.WithCustomSerializer(SweepMessageSerializer.Name, [typeof(ISweepMessage)], system => new SweepMessageSerializer(system))
            .ConfigureLoggers(l =>
            {
                l.LogLevel = level switch
                {
                    <= LogLevel.Debug => Akka.Event.LogLevel.DebugLevel,
                    LogLevel.Information => Akka.Event.LogLevel.InfoLevel,
                    LogLevel.Warning => Akka.Event.LogLevel.WarningLevel,
                    _ => Akka.Event.LogLevel.ErrorLevel,
                };
                l.ClearLoggers();
                l.AddLoggerFactory();
                // As AddLoggerFactory's, but an outsider knocking on a TLS port is logged once, not at every retry.
                l.ClearLoggers();
                l.AddLogger<FilteringLoggerFactoryLogger>();
            });
}
