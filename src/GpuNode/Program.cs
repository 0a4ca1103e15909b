using ActorSweep.GpuNode.Hosting;

return await WorkerCommand.RunAsync(args);
