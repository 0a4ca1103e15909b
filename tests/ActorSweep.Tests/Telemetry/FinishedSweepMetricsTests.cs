using System.Diagnostics.Metrics;
using Akka.Actor;
using Akka.TestKit;
using Akka.TestKit.Xunit;
using ActorSweep.Messages.Sweeps;
using ActorSweep.Seed.Supervisor;
using ActorSweep.Seed.Sweeps;
using ActorSweep.Telemetry.Metrics;

namespace ActorSweep.Tests.Telemetry;

/// <summary>
/// The sweep label stays bounded: a finished sweep's run-state series are exported for
/// <see cref="SweepActor.MetricsKeptAfterFinish"/> (five minutes, a few scrapes to see the final
/// counts) and then disappear. Akka's test scheduler stands in for the clock, so the real five
/// minutes are checked without waiting for them.
/// </summary>
public sealed class FinishedSweepMetricsTests() : TestKit("""
    akka.scheduler.implementation = "Akka.TestKit.TestScheduler, Akka.TestKit"
    akka.persistence.journal.plugin = "akka.persistence.journal.inmem"
    akka.persistence.snapshot-store.plugin = "akka.persistence.snapshot-store.inmem"
    akka.loglevel = WARNING
    """)
{
    const string Sweep = """
        name: forget-me
        task: noop
        seeds: [1, 2, 3]
        defaults: { steps: 10 }
        """;

    [Fact]
    public void A_finished_sweeps_series_stay_five_minutes_then_go_while_a_running_sweeps_stay()
    {
        var scheduler = (TestScheduler)Sys.Scheduler;
        var finished = Sys.ActorOf(SweepActor.Props("forget-me"));
        var running = Sys.ActorOf(SweepActor.Props("keep-me"));
        finished.Tell(new SubmitSweep(SweepFile.Parse(Sweep, "forget-me.yaml")), TestActor);
        ExpectMsg<SweepAccepted>();
        running.Tell(new SubmitSweep(SweepFile.Parse(Sweep.Replace("forget-me", "keep-me"), "keep-me.yaml")), TestActor);
        ExpectMsg<SweepAccepted>();
        Assert.Equal(3, Observed()["forget-me"]["queued"]);

        finished.Tell(new CancelSweep("forget-me", "test"), TestActor);
        ExpectMsg<SweepStateReply>(r => r.State!.Finished);
        Assert.Equal(3, Observed()["forget-me"]["cancelled"]); // the final counts, for scrapes to see

        scheduler.Advance(SweepActor.MetricsKeptAfterFinish - TimeSpan.FromSeconds(1));
        Barrier(finished);
        Assert.Contains("forget-me", Observed().Keys);

        scheduler.Advance(TimeSpan.FromSeconds(2));
        AwaitCondition(() => !Observed().ContainsKey("forget-me"), TimeSpan.FromSeconds(5));
        Assert.Equal(3, Observed()["keep-me"]["queued"]); // a sweep in progress keeps its series
    }

    /// <summary>Returns once the actor has handled every message sent to it before (a timer's included).</summary>
    void Barrier(IActorRef sweep)
    {
        sweep.Tell(new GetSweepState("forget-me"), TestActor);
        ExpectMsg<SweepStateReply>();
    }

    /// <summary>The run-state gauge as an exporter would read it now: sweep -> state -> runs.</summary>
    static Dictionary<string, Dictionary<string, int>> Observed()
    {
        var seen = new Dictionary<string, Dictionary<string, int>>();
        using var listener = new MeterListener
        {
            InstrumentPublished = (instrument, l) =>
            {
                if (instrument.Meter.Name == SupervisorMetrics.MeterName && instrument.Name == "actorsweep.sweep.runs") l.EnableMeasurementEvents(instrument);
            },
        };
        listener.SetMeasurementEventCallback<int>((_, value, tags, _) =>
        {
            string sweep = "", state = "";
            foreach (var tag in tags)
                if (tag.Key == "sweep") sweep = (string)tag.Value!;
                else if (tag.Key == "state") state = (string)tag.Value!;
            if (!seen.TryGetValue(sweep, out var states)) seen[sweep] = states = [];
            states[state] = value;
        });
        listener.Start();
        listener.RecordObservableInstruments();
        return seen;
    }
}
