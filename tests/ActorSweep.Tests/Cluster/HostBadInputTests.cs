using ActorSweep.GpuNode.Hosting;
using ActorSweep.Tests.Cli;

namespace ActorSweep.Tests.Cluster;

/// <summary>Seed and worker hosts refuse bad options with a clear message and exit 2 before joining anything.</summary>
public sealed class HostBadInputTests
{
    static async Task<(int Code, string Error)> Worker(params string[] args)
    {
        var error = new StringWriter();
        int code = await WorkerCommand.RunAsync(args, new StringWriter(), error);
        return (code, error.ToString());
    }

    [Theory]
    [InlineData("--seed-nodes (or ACTORSWEEP_SEED_NODES) is required", "--checkpoints", "/tmp/x")]
    [InlineData("seed node 'tcp://127.0.0.1:4053' is not an address like akka.tcp://actorsweep@HOST:PORT", "--seed-nodes", "tcp://127.0.0.1:4053", "--checkpoints", "/tmp/x")]
    [InlineData("seed node 'akka.tcp://other@127.0.0.1:4053' is not an address", "--seed-nodes", "akka.tcp://other@127.0.0.1:4053", "--checkpoints", "/tmp/x")]
    [InlineData("exactly one checkpoint store", "--seed-nodes", "akka.tcp://actorsweep@127.0.0.1:4053")]
    [InlineData("exactly one checkpoint store", "--seed-nodes", "akka.tcp://actorsweep@127.0.0.1:4053", "--checkpoints", "/tmp/x", "--db", "/tmp/y.db")]
    [InlineData("device 'tpu' is not cpu, cuda or cuda:N", "--seed-nodes", "akka.tcp://actorsweep@127.0.0.1:4053", "--checkpoints", "/tmp/x", "--device", "tpu")]
    [InlineData("device 'cuda:0' needs a GPU", "--seed-nodes", "akka.tcp://actorsweep@127.0.0.1:4053", "--checkpoints", "/tmp/x", "--device", "cuda:0")]
    [InlineData("--slots must not be negative", "--seed-nodes", "akka.tcp://actorsweep@127.0.0.1:4053", "--checkpoints", "/tmp/x", "--slots", "-1")]
    [InlineData("Unrecognized command or argument '--frobnicate'", "--frobnicate")]
    [InlineData("--require-tls: cluster traffic needs --tls-dir", "--seed-nodes", "akka.tcp://actorsweep@127.0.0.1:4053", "--checkpoints", "/tmp/x", "--require-tls")]
    [InlineData("failure detector 'slow' is not one of fast, kubernetes", "--seed-nodes", "akka.tcp://actorsweep@127.0.0.1:4053", "--checkpoints", "/tmp/x", "--failure-detector", "slow")]
    [InlineData("TLS directory /nonexistent has no tls.crt", "--seed-nodes", "akka.tcp://actorsweep@127.0.0.1:4053", "--checkpoints", "/tmp/x", "--tls-dir", "/nonexistent")]
    [InlineData("--postgres-file: no file at /nonexistent/pg", "--seed-nodes", "akka.tcp://actorsweep@127.0.0.1:4053", "--postgres-file", "/nonexistent/pg")]
    [InlineData("give --postgres or --postgres-file, not both", "--seed-nodes", "akka.tcp://actorsweep@127.0.0.1:4053", "--postgres", "Host=x", "--postgres-file", "/tmp/x")]
    public async Task The_worker_refuses_bad_options(string expected, params string[] args)
    {
        var (code, error) = await Worker(args);
        Assert.Equal(2, code);
        Assert.Contains(expected, error);
    }

    [Theory]
    [InlineData("is not an address like akka.tcp://actorsweep@HOST:PORT", "seed", "--seed-nodes", "localhost:4053")]
    [InlineData("not a PostgreSQL connection string", "seed", "--postgres", "Host=x;Frobnicate=1")]
    [InlineData("--api URL (or ACTORSWEEP_API) is required", "submit", "sweeps/quickstart.yaml")]
    [InlineData("--api 'ftp://x' is not an http(s) URL", "cancel", "quickstart", "--api", "ftp://x")]
    [InlineData("cannot reach the API at http://127.0.0.1:1/", "status", "--api", "http://127.0.0.1:1")]
    [InlineData("--api-token-file: no file at /nonexistent/token", "seed", "--api-token-file", "/nonexistent/token")]
    [InlineData("--require-tls: cluster traffic needs --tls-dir", "seed", "--require-tls")]
    public async Task The_seed_and_api_commands_refuse_bad_options(string expected, params string[] args)
    {
        var result = await CliRunner.RunAsync(args);
        Assert.NotEqual(0, result.ExitCode);
        Assert.Contains(expected, result.Error);
    }
}
