using Akka.Hosting;
using ActorSweep.Hosting.Storage;
using ActorSweep.GpuNode.Node;
using Microsoft.AspNetCore.Builder;
using Microsoft.Extensions.Logging;
using TorchSharp;

using ActorSweep.Hosting.Clustering;
using ActorSweep.Hosting.Web;

namespace ActorSweep.GpuNode.Hosting;

/// <summary>How a worker process runs: where it joins, its slots and device, its checkpoint store, its HTTP port.</summary>
public sealed record WorkerOptions(ClusterSetup Cluster, int Slots, string Device, Func<ICheckpointStore> Checkpoints)
{
    /// <summary>Where /healthz (and /metrics) listen; port 0 picks a free one.</summary>
    public string HttpUrls { get; init; } = "http://127.0.0.1:0";
    public LogLevel LogLevel { get; init; } = LogLevel.Information;
    public Func<NodeSettings, NodeSettings>? AdjustNode { get; init; }
    /// <summary>The largest model this worker trains (its memory's bound); null: any.</summary>
    public long? MaxParameters { get; init; }
}

/// <summary>
/// The worker host (`actorsweep-worker`): joins the cluster by its static seed nodes with role
/// "worker", runs one node agent with N slots that pulls runs from the supervisor singleton, and
/// serves /healthz. SIGTERM or Ctrl-C first checkpoints every run and hands it back.
/// </summary>
public static class WorkerHost
{
    public static WebApplication Build(WorkerOptions options)
    {
        UseDevice(options.Device);
        var store = options.Checkpoints();
        var builder = NodeWebHost.CreateBuilder(options.HttpUrls, "actorsweep-worker", options.LogLevel);
        builder.Services.AddAkka(ClusterSetup.SystemName, akka =>
        {
            akka.WithSerializationAndLogging(options.LogLevel)
                .WithActorSweepCluster(options.Cluster with { Roles = [ClusterSetup.WorkerRole] })
                .WithSupervisorProxy()
                .WithNodeAgent(options.Slots, system =>
                {
                    var node = new NodeSettings(ClusterHosting.SelfNodeId(system), options.Slots, options.Device, store) { MaxParameters = options.MaxParameters };
                    return options.AdjustNode?.Invoke(node) ?? node;
                })
                .AddStartup((system, _) => SeedContact.Watch(system, options.Cluster));
        });
        var app = builder.Build();
        app.MapOps();
        return app;
    }

    /// <summary>
    /// Checks the device name and makes it libtorch's default for this process (every slot of a
    /// worker trains on the same device). Each slot trains on one intra-op thread.
    /// </summary>
    public static void UseDevice(string device)
    {
        torch.set_num_threads(1);
        if (device == "cpu") return;
        if (!System.Text.RegularExpressions.Regex.IsMatch(device, "^cuda(:[0-9]+)?$"))
            throw new ArgumentException($"device '{device}' is not cpu, cuda or cuda:N");
        if (!torch.cuda.is_available())
            throw new ArgumentException($"device '{device}' needs a GPU and a worker built with -p:TorchSharpBackend=cuda; this one has no CUDA device available");
        int index = device.Length > 5 ? int.Parse(device[5..]) : 0;
        if (index >= torch.cuda.device_count())
            throw new ArgumentException($"device '{device}': this machine has {torch.cuda.device_count()} CUDA device(s)");
        torch.set_default_device(torch.device(device));
    }
}
