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

    /// <summary>A switch that an environment variable can turn on ("1", "true", "yes").</summary>
    public static Option<bool> Flag(string name, string variable, string description) =>
        new(name)
        {
            Description = $"{description} (env {variable})",
            DefaultValueFactory = _ => Read(variable)?.ToLowerInvariant() is "1" or "true" or "yes" or "on",
        };

    internal static string? Read(string variable) => Environment.GetEnvironmentVariable(variable) is { Length: > 0 } v ? v : null;

    static int Fail(System.CommandLine.Parsing.ArgumentResult result, string message)
    {
        result.AddError(message);
        return 0;
    }
}

/// <summary>
/// A secret given directly (--NAME, env VARIABLE) or, better, as a file (--NAME-file, env
/// VARIABLE_FILE): a mounted Kubernetes Secret, kept off command lines and out of `ps`.
/// </summary>
public sealed class SecretOption(string name, string variable, string description)
{
    public Option<string?> Value { get; } = EnvOption.Text(name, variable, description);
    public Option<string?> File { get; } = EnvOption.Text(name + "-file", variable + "_FILE", $"Read {name} from this file (trailing newline ignored)");

    public IEnumerable<Option> All => [Value, File];

    /// <summary>The secret, or null when neither is given; an <see cref="ArgumentException"/> when both are, or the file cannot be read.</summary>
    public string? Read(ParseResult parse)
    {
        string? direct = parse.GetValue(Value), path = parse.GetValue(File);
        if (path is null) return direct;
        if (direct is not null) throw new ArgumentException($"give {Value.Name} or {File.Name}, not both");
        return ReadFile(path, File.Name);
    }

    /// <summary>A secret file's text without its trailing newline; an <see cref="ArgumentException"/> naming the file if it is missing or empty.</summary>
    public static string ReadFile(string path, string option)
    {
        if (!System.IO.File.Exists(path)) throw new ArgumentException($"{option}: no file at {path}");
        string text = System.IO.File.ReadAllText(path).TrimEnd('\r', '\n');
        if (text.Length == 0) throw new ArgumentException($"{option}: {path} is empty");
        return text;
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

    public Option<string?> TlsDirectory { get; } = EnvOption.Text("--tls-dir", "ACTORSWEEP_TLS_DIR",
        "Mutual TLS on cluster traffic: a directory with tls.crt, tls.key and ca.crt (a Kubernetes TLS secret, or `actorsweep certs init`)");
    public Option<string?> TlsPasswordFile { get; } = EnvOption.Text("--tls-password-file", "ACTORSWEEP_TLS_PASSWORD_FILE", "The password of an encrypted tls.key, in a file");
    public Option<string> TlsPeerName { get; } = EnvOption.Text("--tls-peer-name", "ACTORSWEEP_TLS_PEER_NAME",
        "The DNS name every node's certificate must carry", Security.ClusterTls.DefaultPeerName);
    public Option<bool> RequireTls { get; } = EnvOption.Flag("--require-tls", "ACTORSWEEP_REQUIRE_TLS", "Refuse to start without mutual TLS");

    public Option<string> FailureDetector { get; } = EnvOption.Text("--failure-detector", "ACTORSWEEP_FAILURE_DETECTOR",
        "Failure-detector timings: fast (2 s pause, 2 s stable: loopback, lab) or kubernetes (10 s, 15 s: tolerates GC pauses and throttling)", "fast");

    public IEnumerable<Option> All => [Host, Port, PublicHost, SeedNodes, TlsDirectory, TlsPasswordFile, TlsPeerName, RequireTls, FailureDetector];

    /// <summary>The cluster setup these options give; an <see cref="ArgumentException"/> names a malformed seed node or TLS file.</summary>
    public ClusterSetup Bind(ParseResult parse)
    {
        var tls = parse.GetValue(TlsDirectory) is { } directory
            ? Security.ClusterTls.Load(directory, parse.GetValue(TlsPasswordFile) is { } file ? SecretOption.ReadFile(file, TlsPasswordFile.Name) : null, parse.GetValue(TlsPeerName)!)
            : null;
        if (tls is null && parse.GetValue(RequireTls))
            throw new ArgumentException("--require-tls: cluster traffic needs --tls-dir (or ACTORSWEEP_TLS_DIR), a directory with tls.crt, tls.key and ca.crt");
        return new ClusterSetup
        {
            Hostname = parse.GetValue(Host)!,
            Port = parse.GetValue(Port),
            PublicHostname = parse.GetValue(PublicHost),
            SeedNodes = ClusterSetup.ParseSeedNodes(parse.GetValue(SeedNodes)),
            Tls = tls,
        }.WithFailureProfile(parse.GetValue(FailureDetector)!);
    }
}
