using System.CommandLine;
using ActorSweep.Seed.Cli;

// `actorsweep-seed`: the seed host and the commands that need no model, without TorchSharp (the seed image).
var root = new RootCommand("ActorSweep seed host: the sweep supervisor, its journal and the HTTP API, and the commands that read them.");
foreach (var command in SeedCli.Commands()) root.Add(command);
return await SeedCli.RunAsync(root, "actorsweep-seed", args);
