using System.Diagnostics;
using System.Net;
using System.Net.Sockets;
using ActorSweep.Hosting.Security;

namespace ActorSweep.Bench;

/// <summary>
/// Seeds and workers as processes on loopback for the cluster benchmarks, with or without mutual
/// TLS (certificates from a fresh development CA, as `actorsweep certs init` makes them).
/// </summary>
sealed class BenchCluster : IDisposable
{
    readonly string _bin = AppContext.BaseDirectory;
    readonly List<Process> _processes = [];

    public BenchCluster(bool tls)
    {
        Directory = System.IO.Directory.CreateTempSubdirectory("actorsweep-cluster-").FullName;
        if (!tls) return;
        var now = DateTimeOffset.UtcNow.AddMinutes(-5);
        using var ca = DevelopmentCertificates.Authority("bench CA", now, now.AddDays(1));
        foreach (var role in new[] { "seed", "worker" })
        {
            using var node = DevelopmentCertificates.Node(ca, role, ClusterTls.DefaultPeerName, now, now.AddDays(1));
            DevelopmentCertificates.WriteNode(Path.Combine(Directory, role), node, ca);
        }
        Tls = true;
    }

    public string Directory { get; }
    public bool Tls { get; }
    public string Db => Path.Combine(Directory, "cluster.db");
    public string Protocol => Tls ? "akka.ssl.tcp" : "akka.tcp";

    /// <summary>A seed with the API on <paramref name="apiPort"/>, journalling to the shared SQLite file.</summary>
    public Process StartSeed(int port, int apiPort) =>
        Start("actorsweep-seed.dll", ["seed", "--port", $"{port}", "--db", Db, "--api-urls", $"http://127.0.0.1:{apiPort}", .. TlsArgs("seed")]);

    public Process StartWorker(int port, int seedPort, int slots) =>
        Start("actorsweep-worker.dll", ["--port", $"{port}", "--seed-nodes", $"akka.tcp://actorsweep@127.0.0.1:{seedPort}", "--slots", $"{slots}", "--db", Db, .. TlsArgs("worker")]);

    /// <summary>The node id prefix of the process listening on <paramref name="port"/>.</summary>
    public string NodeIdPrefix(int port) => $"{Protocol}://actorsweep@127.0.0.1:{port}#";

    string[] TlsArgs(string role) => Tls ? ["--tls-dir", Path.Combine(Directory, role)] : [];

    Process Start(string program, string[] args)
    {
        var start = new ProcessStartInfo("dotnet") { RedirectStandardOutput = true, RedirectStandardError = true, UseShellExecute = false, WorkingDirectory = Directory };
        start.ArgumentList.Add(Path.Combine(_bin, program));
        foreach (var a in args) start.ArgumentList.Add(a);
        var process = Process.Start(start)!;
        process.OutputDataReceived += (_, _) => { };
        process.ErrorDataReceived += (_, _) => { };
        process.BeginOutputReadLine();
        process.BeginErrorReadLine();
        _processes.Add(process);
        return process;
    }

    public static async Task Until(Func<Task<bool>> condition, string what, int pollMs = 100)
    {
        var deadline = Stopwatch.StartNew();
        while (!await condition())
        {
            if (deadline.Elapsed > TimeSpan.FromMinutes(2)) throw new TimeoutException($"no {what} within 2 minutes");
            await Task.Delay(pollMs);
        }
    }

    public static int FreePort()
    {
        using var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        return ((IPEndPoint)listener.LocalEndpoint).Port;
    }

    public void Dispose()
    {
        foreach (var p in _processes)
        {
            if (!p.HasExited) { p.Kill(); p.WaitForExit(); }
            p.Dispose();
        }
        Microsoft.Data.Sqlite.SqliteConnection.ClearAllPools();
        try { System.IO.Directory.Delete(Directory, recursive: true); } catch (IOException) { }
    }
}
