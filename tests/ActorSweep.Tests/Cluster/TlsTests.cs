using System.Security.Cryptography.X509Certificates;
using ActorSweep.Hosting.Security;
using ActorSweep.Messages.Sweeps;
using ActorSweep.Seed.Cli;
using ActorSweep.Seed.Hosting;
using ActorSweep.Seed.Persistence;
using ActorSweep.Tests.Cli;
using ActorSweep.Seed.Sweeps;
using ActorSweep.Tests.Infrastructure;
using ActorSweep.Tests.Sweeps;

namespace ActorSweep.Tests.Cluster;

/// <summary>
/// Mutual TLS on cluster traffic, with certificates from `actorsweep certs init`: a TLS cluster
/// of real processes trains runs bit-identical to runs trained without TLS, and nodes without a
/// certificate of the cluster's CA (none, another CA's, an expired one) get nothing.
/// </summary>
public sealed class TlsTests(PostgresServer postgres, ITestOutputHelper output) : IDisposable
{
    static readonly TimeSpan Startup = TimeSpan.FromSeconds(60);
    readonly string _dir = Directory.CreateTempSubdirectory("actorsweep-tls-").FullName;

    public void Dispose() => Directory.Delete(_dir, recursive: true);

    static readonly DateTimeOffset Now = DateTimeOffset.UtcNow;

    /// <summary>`actorsweep certs init DIR`, through the command line as a user runs it.</summary>
    async Task<string> CertsInit(string name)
    {
        string root = Path.Combine(_dir, name);
        var init = await CliRunner.RunAsync("certs", "init", root);
        Assert.True(init.ExitCode == 0, init.Error + init.Output);
        return root;
    }

    [Fact]
    public async Task Certs_init_writes_a_CA_and_node_directories_that_load_and_admit_each_other()
    {
        string root = await CertsInit("pki");
        foreach (var role in new[] { "seed", "worker" })
            foreach (var file in new[] { "tls.crt", "tls.key", "ca.crt" })
                Assert.True(File.Exists(Path.Combine(root, role, file)), $"{role}/{file} is missing");
        Assert.Equal(UnixFileMode.UserRead | UnixFileMode.UserWrite, File.GetUnixFileMode(Path.Combine(root, "seed", "tls.key")));
        Assert.Equal(UnixFileMode.UserRead | UnixFileMode.UserWrite, File.GetUnixFileMode(Path.Combine(root, "ca", "ca.key")));

        var seed = ClusterTls.Load(Path.Combine(root, "seed"));
        var worker = ClusterTls.Load(Path.Combine(root, "worker"));
        Assert.Null(seed.Refusal(worker.Certificate));
        Assert.Null(worker.Refusal(seed.Certificate));

        var again = await CliRunner.RunAsync("certs", "init", root);
        Assert.Equal(ExitCodes.Usage, again.ExitCode);
        Assert.Contains("a second CA would not trust the nodes of the first", again.Error);
        var more = await CliRunner.RunAsync("certs", "node", root, "worker-2");
        Assert.Equal(0, more.ExitCode);
        Assert.Null(seed.Refusal(ClusterTls.Load(Path.Combine(root, "worker-2")).Certificate));
    }

    [Fact]
    public void A_peer_is_admitted_only_with_a_current_certificate_of_the_clusters_CA_naming_the_cluster()
    {
        using var ca = DevelopmentCertificates.Authority("cluster CA", Now.AddDays(-2), Now.AddYears(1));
        using var otherCa = DevelopmentCertificates.Authority("cluster CA", Now.AddDays(-2), Now.AddYears(1)); // same name, other key
        using var node = DevelopmentCertificates.Node(ca, "seed", ClusterTls.DefaultPeerName, Now.AddDays(-1), Now.AddDays(1));
        var tls = new ClusterTls(node, [ca]);

        using var good = DevelopmentCertificates.Node(ca, "worker", ClusterTls.DefaultPeerName, Now.AddDays(-1), Now.AddDays(1));
        using var foreign = DevelopmentCertificates.Node(otherCa, "worker", ClusterTls.DefaultPeerName, Now.AddDays(-1), Now.AddDays(1));
        using var expired = DevelopmentCertificates.Node(ca, "worker", ClusterTls.DefaultPeerName, Now.AddDays(-2), Now.AddDays(-1));
        using var early = DevelopmentCertificates.Node(ca, "worker", ClusterTls.DefaultPeerName, Now.AddDays(1), Now.AddDays(2));
        using var otherCluster = DevelopmentCertificates.Node(ca, "worker", "other-cluster", Now.AddDays(-1), Now.AddDays(1));

        Assert.Null(tls.Refusal(good));
        Assert.Contains("presented no certificate", tls.Refusal(null));
        Assert.Contains("does not verify against the cluster's CA", tls.Refusal(foreign));
        Assert.Contains("NotTimeValid", tls.Refusal(expired));
        Assert.Contains("NotTimeValid", tls.Refusal(early));
        Assert.Contains($"does not name {ClusterTls.DefaultPeerName}", tls.Refusal(otherCluster));
        Assert.Contains("is a CA's, not a node's", tls.Refusal(ca));
    }

    [Fact]
    public void Loading_names_the_missing_or_wrong_file()
    {
        string dir = Path.Combine(_dir, "partial");
        Directory.CreateDirectory(dir);
        var missing = Assert.Throws<ArgumentException>(() => ClusterTls.Load(dir));
        Assert.Contains("has no tls.crt", missing.Message);

        using var ca = DevelopmentCertificates.Authority("ca", Now.AddDays(-2), Now.AddYears(1));
        using var expired = DevelopmentCertificates.Node(ca, "seed", ClusterTls.DefaultPeerName, Now.AddDays(-2), Now.AddDays(-1));
        DevelopmentCertificates.WriteNode(dir, expired, ca);
        Assert.Contains("expired on", Assert.Throws<ArgumentException>(() => ClusterTls.Load(dir)).Message);

        using var other = DevelopmentCertificates.Authority("other", Now.AddDays(-2), Now.AddYears(1));
        using var node = DevelopmentCertificates.Node(ca, "seed", ClusterTls.DefaultPeerName, Now.AddDays(-1), Now.AddDays(1));
        DevelopmentCertificates.WriteNode(dir, node, other); // ca.crt of another CA
        Assert.Contains("would be refused by its own cluster", Assert.Throws<ArgumentException>(() => ClusterTls.Load(dir)).Message);

        File.WriteAllText(Path.Combine(dir, "tls.key"), "not a key");
        Assert.Contains("cannot read the certificate", Assert.Throws<ArgumentException>(() => ClusterTls.Load(dir)).Message);
    }

    /// <summary>
    /// A seed and two workers with mutual TLS train the addition sweep of the crash tests: every
    /// run completes once, bit-identical (report and weights) to the same run trained without TLS.
    /// </summary>
    [Fact]
    public async Task A_TLS_cluster_trains_runs_identical_to_runs_without_TLS()
    {
        string pki = await CertsInit("cluster");
        using var cluster = await LocalCluster.CreateAsync(postgres);
        string sweep = ClusterProcessTests.AdditionSweep.Replace("name: kill-worker", "name: tls");
        var definition = SweepFile.Parse(sweep, "tls.yaml");
        int seedPort = PostgresServer.FreePort(), apiPort = PostgresServer.FreePort();
        cluster.StartSeed("seed", seedPort, apiPort, [seedPort], "--tls-dir", Path.Combine(pki, "seed"), "--require-tls");
        await cluster.WaitHealthyAsync(apiPort, Startup);
        cluster.StartWorker("worker-a", PostgresServer.FreePort(), [seedPort], 1, "--tls-dir", Path.Combine(pki, "worker"));
        cluster.StartWorker("worker-b", PostgresServer.FreePort(), [seedPort], 1, "--tls-dir", Path.Combine(pki, "worker"));
        using var api = LocalCluster.Api(apiPort);
        await api.SubmitAsync(sweep, "tls.yaml");
        await cluster.WaitForSweepAsync(api, "tls", s => s.State!.Finished, TimeSpan.FromMinutes(4), "the TLS sweep to finish");
        output.WriteLine(cluster.Logs());

        var events = await cluster.EventsAsync("tls");
        var state = JournalReader.Fold("tls", events);
        var store = JournalDatabase.Postgres(cluster.Postgres).CheckpointStore();
        foreach (var spec in definition.Runs)
        {
            Assert.Single(events.OfType<RunCompleted>(), c => c.RunId == spec.RunId);
            var run = state.Runs[spec.RunId];
            var (report, weights) = ReliabilityTests.UninterruptedWithWeights(run.Spec);
            Assert.Equal(ReliabilityTests.Comparable(report), ReliabilityTests.Comparable(run.Report!));
            Assert.Equal(weights, ReliabilityTests.FinalWeights(store, run)); // bit for bit
        }
        Assert.Equal(2, state.Runs.Values.Select(r => r.NodeId).Distinct().Count()); // both TLS workers trained
    }

    /// <summary>
    /// Beside a legitimate TLS worker, three outsiders try to join a TLS seed: a worker speaking
    /// plain TCP, a worker with its own CA's certificate, and a worker whose certificate of the
    /// cluster's CA has expired. None joins: the journal holds nothing of theirs (not even while
    /// they try before any sweep exists), the sweep finishes on the legitimate worker, and the seed
    /// logs each refusal once rather than at every retry.
    /// </summary>
    [Fact]
    public async Task Nodes_without_a_valid_certificate_of_the_cluster_get_no_run_and_are_logged_once()
    {
        string pki = await CertsInit("cluster");
        string outsiders = await CertsInit("outsiders"); // another CA
        string expired = Path.Combine(_dir, "expired");
        using (var ca = DevelopmentCertificates.ReadAuthority(Path.Combine(pki, "ca")))
        using (var old = DevelopmentCertificates.Node(ca, "worker", ClusterTls.DefaultPeerName, ca.NotBefore, ca.NotBefore.AddMinutes(1))) // over minutes ago
            DevelopmentCertificates.WriteNode(expired, old, ca);

        using var cluster = await LocalCluster.CreateAsync(postgres);
        int seedPort = PostgresServer.FreePort(), apiPort = PostgresServer.FreePort();
        var seed = cluster.StartSeed("seed", seedPort, apiPort, [seedPort], "--tls-dir", Path.Combine(pki, "seed"));
        await cluster.WaitHealthyAsync(apiPort, Startup);

        int plainPort = PostgresServer.FreePort(), foreignPort = PostgresServer.FreePort(), stalePort = PostgresServer.FreePort();
        var plain = cluster.StartWorker("plain", plainPort, [seedPort]);
        // Refused, Akka on the foreign node shuts it down (a TLS handshake failure is taken for a misconfiguration).
        var foreign = cluster.StartWorker("foreign", foreignPort, [seedPort], 1, "--tls-dir", Path.Combine(outsiders, "worker")).ExpectingExit();
        // A node checks its own certificate first: with an expired one it does not start (a peer
        // presenting one is refused by the check the unit test above covers).
        var stale = cluster.StartWorker("stale", stalePort, [seedPort], 1, "--tls-dir", expired).ExpectingExit();
        await Eventually.TrueAsync(() => stale.HasExited, Startup, "the worker with an expired certificate to refuse to start");
        Assert.Contains("expired on", stale.Output);

        // The plain worker retries (every 5 s) and fails each time, its bytes not being TLS; the
        // foreign one is refused.
        const string retry = "Tried to associate with unreachable remote address";
        try
        {
            await Eventually.TrueAsync(() => Count(plain.Output, retry) >= 3 && Count(foreign.Output, retry) >= 1, TimeSpan.FromSeconds(60),
                "the plain worker to try three times and the foreign one once");
        }
        catch (Exception) { output.WriteLine(cluster.Logs()); throw; }
        Assert.Contains("does not verify against the cluster's CA", seed.Output);
        Assert.Contains("not an SSL/TLS record", seed.Output);
        await using (var journal = await JournalReader.OpenAsync(JournalDatabase.Postgres(cluster.Postgres)))
            Assert.Empty(await journal.SweepIdsAsync()); // the outsiders' attempts journaled nothing at all

        int legitPort = PostgresServer.FreePort();
        var legit = cluster.StartWorker("legit", legitPort, [seedPort], 2, "--tls-dir", Path.Combine(pki, "worker"));
        using var api = LocalCluster.Api(apiPort);
        string sweep = "name: rogue\ntask: noop\nseeds: [1, 2, 3, 4, 5, 6]\ndefaults: { steps: 20, step_seconds: 0.05, checkpoint_every: 5 }\n";
        await api.SubmitAsync(sweep, "rogue.yaml");
        await cluster.WaitForSweepAsync(api, "rogue", s => s.State!.Finished, Startup, "the sweep to finish on the legitimate worker");
        output.WriteLine(cluster.Logs());

        var events = await cluster.EventsAsync("rogue");
        Assert.Equal(6, events.OfType<RunCompleted>().Count());
        Assert.All(events.OfType<RunAssigned>(), a => Assert.StartsWith($"akka.ssl.tcp://actorsweep@127.0.0.1:{legitPort}#", a.NodeId));
        Assert.False(plain.HasExited, "the plain worker kept trying the whole time");
        if (foreign.HasExited)
        {
            Assert.Equal(1, foreign.ExitCode); // refused, it says so and exits as failed
            Assert.Contains("a TLS handshake with the cluster failed", foreign.Output);
        }
        // Once per reason, though both outsiders retried throughout: ours (the certificate's fault)
        // and Akka's (a failed handshake, bytes that are not TLS, the rejected connection).
        Assert.Equal(1, Count(seed.Output, "does not verify against the cluster's CA"));
        Assert.Equal(1, Count(seed.Output, "not an SSL/TLS record"));
        Assert.Equal(1, Count(seed.Output, "due to TLS handshake failure"));
        Assert.True(Count(seed.Output, "TLS handshake failed") <= 2, seed.Output);
        Assert.False(legit.HasExited);
    }

    /// <summary>
    /// Secrets given as files (the PostgreSQL connection string with its password, the API token,
    /// the password of an encrypted TLS key) appear on no process's command line, in no log line
    /// of a whole run, and not in /healthz; the token still guards the API.
    /// </summary>
    [Fact]
    public async Task Secrets_given_as_files_appear_on_no_command_line_in_no_log_and_not_in_healthz()
    {
        string pki = await CertsInit("cluster");
        string token = "tok-" + Convert.ToHexString(System.Security.Cryptography.RandomNumberGenerator.GetBytes(16));
        string pgPassword = "pg-" + Convert.ToHexString(System.Security.Cryptography.RandomNumberGenerator.GetBytes(16));
        string keyPassword = "key-" + Convert.ToHexString(System.Security.Cryptography.RandomNumberGenerator.GetBytes(16));
        using var cluster = await LocalCluster.CreateAsync(postgres);
        string secrets = Path.Combine(_dir, "secrets");
        Directory.CreateDirectory(secrets);
        // The test server trusts loopback, so the password is carried but never checked: it only has to stay secret.
        File.WriteAllText(Path.Combine(secrets, "postgres"), cluster.Postgres + $";Password={pgPassword}\n");
        File.WriteAllText(Path.Combine(secrets, "token"), token + "\n");
        File.WriteAllText(Path.Combine(secrets, "key-password"), keyPassword);
        // The worker's key, encrypted (PKCS#8), as a PKI that protects keys at rest hands it out.
        string encrypted = Path.Combine(_dir, "worker-encrypted");
        Directory.CreateDirectory(encrypted);
        var worker = X509Certificate2.CreateFromPemFile(Path.Combine(pki, "worker", "tls.crt"), Path.Combine(pki, "worker", "tls.key"));
        File.Copy(Path.Combine(pki, "worker", "tls.crt"), Path.Combine(encrypted, "tls.crt"));
        File.Copy(Path.Combine(pki, "worker", "ca.crt"), Path.Combine(encrypted, "ca.crt"));
        File.WriteAllText(Path.Combine(encrypted, "tls.key"), worker.GetECDsaPrivateKey()!.ExportEncryptedPkcs8PrivateKeyPem(keyPassword,
            new System.Security.Cryptography.PbeParameters(System.Security.Cryptography.PbeEncryptionAlgorithm.Aes256Cbc, System.Security.Cryptography.HashAlgorithmName.SHA256, 100_000)));

        int seedPort = PostgresServer.FreePort(), apiPort = PostgresServer.FreePort();
        var processes = new[]
        {
            cluster.Track(NodeProcess.Start("seed", "actorsweep-seed.dll", "seed", "--port", seedPort.ToString(), "--seed-nodes", NodeProcess.Address(seedPort),
                "--api-urls", $"http://127.0.0.1:{apiPort}", "--postgres-file", Path.Combine(secrets, "postgres"), "--api-token-file", Path.Combine(secrets, "token"),
                "--tls-dir", Path.Combine(pki, "seed"))),
        };
        await cluster.WaitHealthyAsync(apiPort, Startup);
        processes = [.. processes, cluster.Track(NodeProcess.Start("worker", "actorsweep-worker.dll", "--port", PostgresServer.FreePort().ToString(),
            "--seed-nodes", NodeProcess.Address(seedPort), "--postgres-file", Path.Combine(secrets, "postgres"), "--slots", "2",
            "--tls-dir", encrypted, "--tls-password-file", Path.Combine(secrets, "key-password")))];

        using (var anonymous = LocalCluster.Api(apiPort))
            Assert.Contains("401", (await Assert.ThrowsAsync<ActorSweep.Seed.Api.ApiException>(() => anonymous.SubmitAsync("name: x\ntask: noop\n", "x.yaml"))).Message);
        using var api = ActorSweep.Seed.Api.ApiClient.Create($"http://127.0.0.1:{apiPort}", token);
        await api.SubmitAsync("name: secrets\ntask: noop\nseeds: [1, 2, 3, 4]\ndefaults: { steps: 10, step_seconds: 0.05, checkpoint_every: 5 }\n", "secrets.yaml");
        await cluster.WaitForSweepAsync(api, "secrets", s => s.State!.Finished, Startup, "the sweep to finish");

        using var http = new HttpClient();
        string health = await http.GetStringAsync($"http://127.0.0.1:{apiPort}/healthz");
        Assert.Contains("PostgreSQL", health); // it does describe the journal
        var seen = new List<(string Where, string Text)> { ("/healthz", health) };
        foreach (var p in processes)
        {
            seen.Add(($"{p.Name}'s command line", File.ReadAllText($"/proc/{p.Pid}/cmdline").Replace('\0', ' ')));
            seen.Add(($"{p.Name}'s environment", File.ReadAllText($"/proc/{p.Pid}/environ").Replace('\0', ' ')));
        }
        foreach (var p in processes) p.Terminate();
        foreach (var p in processes) await p.WaitForExitAsync(Startup);
        seen.AddRange(processes.Select(p => ($"{p.Name}'s log", p.Output)));
        Assert.Contains("Started secrets/", processes[1].Output); // the whole run is in the logs searched
        foreach (var (where, text) in seen)
            foreach (var secret in new[] { token, pgPassword, keyPassword })
                Assert.False(text.Contains(secret), $"{where} shows a secret");
    }

    [Fact]
    public async Task A_node_listening_beyond_loopback_without_TLS_warns_at_start()
    {
        using var worker = NodeProcess.Start("open", "actorsweep-worker.dll", "--host", "0.0.0.0", "--port", PostgresServer.FreePort().ToString(),
            "--seed-nodes", NodeProcess.Address(PostgresServer.FreePort()), "--checkpoints", Path.Combine(_dir, "checkpoints"));
        await Eventually.TrueAsync(() => worker.Output.Contains("plain TCP beyond loopback"), Startup, "the warning");
        Assert.Contains("--require-tls", worker.Output);
        using var local = NodeProcess.Start("local", "actorsweep-worker.dll", "--port", PostgresServer.FreePort().ToString(),
            "--seed-nodes", NodeProcess.Address(PostgresServer.FreePort()), "--checkpoints", Path.Combine(_dir, "checkpoints"));
        await Eventually.TrueAsync(() => local.Output.Contains("Remoting now listens"), Startup, "the loopback worker to start");
        Assert.DoesNotContain("plain TCP beyond loopback", local.Output);
    }

    static int Count(string text, string what) => text.Split('\n').Count(l => l.Contains(what));
}
