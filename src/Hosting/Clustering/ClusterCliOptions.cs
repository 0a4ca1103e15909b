using System.CommandLine;

namespace ActorSweep.Hosting.Clustering;

/// <summary>Command-line options that fall back to an environment variable, so containers need no arguments.</summary>
public static class EnvOption
{
    public static Option<string?> Text(string name, string variable, string description) =>
        new(name) { Description = $"{description} (env {variable})", DefaultValueFactory = _ => Read(variable) };

    public static Option<string> Text(string name, string variable, string description, string fallback) =>
        new(name) { Description = $"{description} (env {variable}; default {fallback})", DefaultValueFactory = _ => Read(variable) ?? fallback };

    public static Option<int> Int(string name, string variable, string description, int fallback) =>
        new(name)
        {
            Description = $"{description} (env {variable}; default {fallback})",
            DefaultValueFactory = result => Read(variable) is not { } text ? fallback
                : int.TryParse(text, out int value) ? value
                : Fail(result, $"{variable}='{text}' is not a whole number"),
        };

    static string? Read(string variable) => Environment.GetEnvironmentVariable(variable) is { Length: > 0 } v ? v : null;

    static int Fail(System.CommandLine.Parsing.ArgumentResult result, string message)
    {
        result.AddError(message);
        return 0;
    }
}

/// <summary>The options by which a seed or worker process joins the cluster.</summary>
public sealed class ClusterCliOptions
{
    public Option<string> Host { get; } = EnvOption.Text("--host", "ACTORSWEEP_HOST", "Address to bind remoting to", "127.0.0.1");
    public Option<int> Port { get; }
    public Option<string?> PublicHost { get; } = EnvOption.Text("--public-host", "ACTORSWEEP_PUBLIC_HOST", "Address other nodes reach this one by, if not --host");
    public Option<string?> SeedNodes { get; } = EnvOption.Text("--seed-nodes", "ACTORSWEEP_SEED_NODES", "Seed nodes to join, comma-separated akka.tcp://actorsweep@HOST:PORT");

    public ClusterCliOptions(int defaultPort) =>
        Port = EnvOption.Int("--port", "ACTORSWEEP_PORT", "Remoting port; 0 picks a free one", defaultPort);

    public IEnumerable<Option> All => [Host, Port, PublicHost, SeedNodes];

    /// <summary>The cluster setup these options give; <see cref="ArgumentException"/> names a malformed seed node.</summary>
    public ClusterSetup Bind(ParseResult parse) => new()
    {
        Hostname = parse.GetValue(Host)!,
        Port = parse.GetValue(Port),
        PublicHostname = parse.GetValue(PublicHost),
        SeedNodes = ClusterSetup.ParseSeedNodes(parse.GetValue(SeedNodes)),
    };
}
