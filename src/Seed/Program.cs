using ActorSweep.Seed.Cli;

return await ActorSweepCli.RunAsync(args);
