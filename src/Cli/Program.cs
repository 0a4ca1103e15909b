using ActorSweep.Cli;

return await ActorSweepCli.RunAsync(args);
