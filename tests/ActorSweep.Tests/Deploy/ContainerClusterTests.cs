using System.Diagnostics;
using System.Globalization;
using System.Text.RegularExpressions;
using ActorSweep.Messages.Sweeps;
using ActorSweep.Seed.Api;
using ActorSweep.Seed.Hosting;
using ActorSweep.Seed.Persistence;
using ActorSweep.Seed.Sweeps;
using ActorSweep.Tests.Cli;
using ActorSweep.Tests.Cluster;
using ActorSweep.Tests.Infrastructure;
using ActorSweep.Tests.Sweeps;

namespace ActorSweep.Tests.Deploy;

/// <summary>
/// The images as shipped: `scripts/images.sh` builds them from this checkout (on a Debian 13 base
/// made here, since no registry can be reached), and a cluster runs from them: a seed container and
/// two worker containers with mutual TLS, journalling to PostgreSQL. One worker container is killed
/// with SIGKILL mid-run; the sweep still ends with every run identical to the same run trained
/// in-process, bit for bit.
/// </summary>
[Collection(nameof(ImageBuilds))]
public sealed class ContainerClusterTests(PostgresServer postgres, ITestOutputHelper output) : IDisposable
{
    const string Tag = "test";
    static readonly TimeSpan Startup = TimeSpan.FromSeconds(90);
    readonly string _dir = Directory.CreateTempSubdirectory("actorsweep-images-").FullName;

    public void Dispose() => Directory.Delete(_dir, recursive: true);

    static Podman RequirePodman()
    {
        var podman = Podman.Find();
        if (podman is not null) return podman;
        const string Why = "podman and runc are not installed (apt-get install podman runc mmdebstrap)";
        if (Environment.GetEnvironmentVariable("ACTORSWEEP_REQUIRE_PODMAN") == "1") Assert.Fail(Why);
        Assert.Skip(Why);
        return null!;
    }

    [Fact]
    public async Task Images_built_by_the_script_run_a_TLS_cluster_that_survives_a_SIGKILLed_worker_container_with_identical_results()
    {
        var podman = RequirePodman();
        var sizes = BuildImages(podman);
        Assert.True(sizes["actorsweep-seed"] < 200, $"the seed image is {sizes["actorsweep-seed"]} MB; the goal is under 200 MB");
        Assert.True(sizes["actorsweep-worker"] > 400, "the worker image carries libtorch"); // the script's size report reads the real image

        // Certificates as Kubernetes mounts a TLS secret: files readable by the image's non-root user.
        string pki = Path.Combine(_dir, "pki");
        var init = await CliRunner.RunAsync("certs", "init", pki);
        Assert.True(init.ExitCode == 0, init.Error + init.Output);
        MakeReadableByAll(_dir);

        using var cluster = await LocalCluster.CreateAsync(postgres);
        string sweep = ClusterProcessTests.AdditionSweep.Replace("name: kill-worker", "name: containers");
        var definition = SweepFile.Parse(sweep, "containers.yaml");
        int seedPort = PostgresServer.FreePort(), apiPort = PostgresServer.FreePort(), portA = PostgresServer.FreePort(), portB = PostgresServer.FreePort();
        string suffix = Guid.NewGuid().ToString("N")[..8];
        // With the kubernetes failure-detector profile, as the images run there: with the fast one (2 s), a worker container
        // busy restoring a run once made the seed see itself in a minority and down itself (CI, 2026-12-01).
        string[] seedNodes = ["--seed-nodes", NodeProcess.Address(seedPort), "--failure-detector", "kubernetes"];

        cluster.Track(NodeProcess.Container(podman, $"actorsweep-seed-{suffix}", $"localhost/actorsweep-seed:{Tag}", Mount(pki, "seed"),
            ["seed", "--host", "127.0.0.1", "--port", seedPort.ToString(CultureInfo.InvariantCulture), .. seedNodes,
            "--postgres", cluster.Postgres, "--api-urls", $"http://127.0.0.1:{apiPort}", "--tls-dir", "/etc/actorsweep/tls", "--require-tls"]));
        await cluster.WaitHealthyAsync(apiPort, Startup);
        var a = cluster.Track(Worker(podman, cluster, $"actorsweep-worker-a-{suffix}", portA, pki, seedNodes));
        cluster.Track(Worker(podman, cluster, $"actorsweep-worker-b-{suffix}", portB, pki, seedNodes));
        // Before A dies B must count: a worker still WeaklyUp does not, and the seed against dead A is then a tie that
        // A wins when its port is lower, downing the seed. Locally B was seen WeaklyUp at the kill; in CI (2026-12-01)
        // a container exited after the kill, which this explains.
        await cluster.WaitForMembersAsync(apiPort, 3, Startup);
        using var api = LocalCluster.Api(apiPort);
        await api.SubmitAsync(sweep, "containers.yaml");

        var beforeKill = await Diagnosed(api, cluster, () => cluster.WaitForSweepAsync(api, "containers", s => s.State!.Runs.Values.Any(r =>
            r.Status == RunStatus.Running && r.NodeId!.StartsWith(NodeProcess.NodeIdPrefix(portA, tls: true)) && r.Checkpoint is { Step: >= 200 and <= 1200 }),
            Startup, "a run in worker container A with a checkpoint"));
        var victim = beforeKill.State!.Runs.Values.Single(r => r.Status == RunStatus.Running && r.NodeId!.StartsWith(NodeProcess.NodeIdPrefix(portA, tls: true)));
        a.Kill();

        await cluster.WaitForSweepAsync(api, "containers", s => s.State!.Finished, TimeSpan.FromMinutes(3), "the sweep to finish in worker container B");
        output.WriteLine(cluster.Logs());
        var events = await cluster.EventsAsync("containers");
        var state = JournalReader.Fold("containers", events);
        foreach (var spec in definition.Runs)
            Assert.Single(events.OfType<RunCompleted>(), c => c.RunId == spec.RunId); // none lost, none counted twice
        Assert.Contains(events.OfType<RunRequeued>(), r => r.RunId == victim.Spec.RunId && r.Reason.Contains("left the cluster"));
        var resumed = events.OfType<RunAssigned>().Single(x => x.RunId == victim.Spec.RunId && x.Attempt == victim.Attempt + 1);
        Assert.StartsWith(NodeProcess.NodeIdPrefix(portB, tls: true), resumed.NodeId);
        Assert.True(resumed.ResumeFrom!.Step >= victim.Checkpoint!.Step, "resumed from its last checkpoint, not from scratch");

        var store = JournalDatabase.Postgres(cluster.Postgres).CheckpointStore();
        foreach (var run in state.Runs.Values)
        {
            var (report, weights) = ReliabilityTests.UninterruptedWithWeights(run.Spec); // trained here, in this process
            Assert.Equal(ReliabilityTests.Comparable(report), ReliabilityTests.Comparable(run.Report!));
            Assert.Equal(weights, ReliabilityTests.FinalWeights(store, run)); // bit for bit
        }
    }

    async Task<T> Diagnosed<T>(ApiClient api, LocalCluster cluster, Func<Task<T>> wait)
    {
        try { return await wait(); }
        catch (Exception)
        {
            var state = await api.StateAsync("containers");
            foreach (var run in state.State!.Runs.Values)
                output.WriteLine($"{run.Spec.RunId} {run.Status} node={run.NodeId} checkpoint={run.Checkpoint?.Step}");
            output.WriteLine(cluster.Logs());
            throw;
        }
    }

    static NodeProcess Worker(Podman podman, LocalCluster cluster, string name, int port, string pki, string[] seedNodes) =>
        NodeProcess.Container(podman, name, $"localhost/actorsweep-worker:{Tag}", Mount(pki, "worker"),
            ["--host", "127.0.0.1", "--port", port.ToString(CultureInfo.InvariantCulture), .. seedNodes,
            "--postgres", cluster.Postgres, "--slots", "1", "--tls-dir", "/etc/actorsweep/tls",
            "--http", "http://127.0.0.1:0"]); // the image's 0.0.0.0:8080 would clash on the shared host network

    static string[] Mount(string pki, string role) => ["--volume", $"{Path.Combine(pki, role)}:/etc/actorsweep/tls:ro"];

    /// <summary>Runs `scripts/images.sh --offline-base` and returns each image's size in MB as the script reports it.</summary>
    Dictionary<string, double> BuildImages(Podman podman)
    {
        var start = new ProcessStartInfo("bash") { WorkingDirectory = TestEnvironment.RepositoryRoot, RedirectStandardOutput = true, RedirectStandardError = true };
        foreach (var a in (string[])["scripts/images.sh", "--offline-base", "--tag", Tag]) start.ArgumentList.Add(a);
        podman.Configure(start);
        using var process = Process.Start(start)!;
        var stderr = process.StandardError.ReadToEndAsync();
        string stdout = process.StandardOutput.ReadToEnd();
        Assert.True(process.WaitForExit(TimeSpan.FromMinutes(15)), "scripts/images.sh did not finish in 15 minutes");
        output.WriteLine(stdout + stderr.Result);
        Assert.True(process.ExitCode == 0, $"scripts/images.sh failed ({process.ExitCode}):\n{stdout}{stderr.Result}");
        podman.Run("image", "prune", "--force"); // the layers of the previous build of these tags

        return Regex.Matches(stdout, @"^localhost/(?<name>[\w-]+):" + Tag + @" (?<mb>\d+) MB$", RegexOptions.Multiline)
            .ToDictionary(m => m.Groups["name"].Value, m => double.Parse(m.Groups["mb"].Value, CultureInfo.InvariantCulture));
    }

    static void MakeReadableByAll(string root)
    {
        File.SetUnixFileMode(root, (UnixFileMode)0b111_101_101);
        foreach (var dir in Directory.EnumerateDirectories(root, "*", SearchOption.AllDirectories))
            File.SetUnixFileMode(dir, (UnixFileMode)0b111_101_101);
        foreach (var file in Directory.EnumerateFiles(root, "*", SearchOption.AllDirectories))
            File.SetUnixFileMode(file, (UnixFileMode)0b110_100_100);
    }
}

/// <summary>
/// Building images publishes two hosts and copies 650 MB into podman's store: minutes of both cores.
/// Beside the cluster tests, whose failure detector (2 s) reads a starved process as a dead one, it
/// made healthy seeds be downed; it runs on its own, after the parallel tests.
/// </summary>
[CollectionDefinition(nameof(ImageBuilds), DisableParallelization = true)]
public sealed class ImageBuilds;
