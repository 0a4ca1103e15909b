using System.Threading.Channels;
using Akka.Actor;
using Akka.Hosting;
using ActorSweep.Hosting.Clustering;
using ActorSweep.Messages;
using ActorSweep.Messages.Sweeps;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;

namespace ActorSweep.Seed.Hosting;

/// <summary>Talks to the sweep supervisor of a running host (through its singleton proxy).</summary>
public sealed class SweepClient(ActorSystem system, IActorRef supervisor)
{
    public static readonly TimeSpan Timeout = TimeSpan.FromSeconds(60);

    public static SweepClient For(IHost host)
    {
        var registry = host.Services.GetRequiredService<ActorRegistry>();
        return new SweepClient(host.Services.GetRequiredService<ActorSystem>(), registry.Get<SweepSupervisorProxy>());
    }

    public ActorSystem System => system;

    public async Task<ISweepReply> SubmitAsync(SweepDefinition definition, CancellationToken cancel = default) =>
        await supervisor.Ask<ISweepReply>(new SubmitSweep(definition), Timeout, cancel);

    public async Task<SweepState?> StateAsync(string sweepId, CancellationToken cancel = default) =>
        (await supervisor.Ask<SweepStateReply>(new GetSweepState(sweepId), Timeout, cancel)).State;

    public async Task<ISweepReply> PromoteAsync(string sweepId, string runId, CancellationToken cancel = default) =>
        await supervisor.Ask<ISweepReply>(new PromoteRun(sweepId, runId), Timeout, cancel);

    /// <summary>Every notification about the sweep (state, progress, changes, finish) as a channel.</summary>
    public ChannelReader<object> Watch(string sweepId) => Subscribe(sweepId, capacity: null).Reader;

    /// <summary>
    /// As <see cref="Watch"/>, for a reader that may go before the sweep ends (a browser): disposing
    /// the subscription unwatches and stops its actor. With a <paramref name="capacity"/>, a slow
    /// reader loses the oldest notifications past it rather than the process its memory.
    /// </summary>
    public Subscription Subscribe(string sweepId, int? capacity = 10_000)
    {
        var channel = capacity is { } bound
            ? Channel.CreateBounded<object>(new BoundedChannelOptions(bound) { SingleReader = true, FullMode = BoundedChannelFullMode.DropOldest })
            : Channel.CreateUnbounded<object>(new UnboundedChannelOptions { SingleReader = true });
        var watcher = system.ActorOf(Props.Create(() => new ChannelWriterActor(channel.Writer)));
        supervisor.Tell(new WatchSweep(sweepId), watcher);
        return new Subscription(channel.Reader, () =>
        {
            supervisor.Tell(new UnwatchSweep(sweepId), watcher);
            system.Stop(watcher);
        });
    }

    public sealed class Subscription(ChannelReader<object> reader, Action stop) : IDisposable
    {
        public ChannelReader<object> Reader => reader;
        public void Dispose() => stop();
    }

    sealed class ChannelWriterActor : ReceiveActor
    {
        public ChannelWriterActor(ChannelWriter<object> writer) => ReceiveAny(m => writer.TryWrite(m));
    }
}
