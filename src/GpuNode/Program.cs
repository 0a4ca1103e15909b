using ActorSweep.GpuNode.Hosting;
using ActorSweep.Hosting.Clustering;
using ActorSweep.Hosting.Web;

return await WorkerCommand.RunAsync(args);
