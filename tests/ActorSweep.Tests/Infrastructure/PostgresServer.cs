using System.Diagnostics;
using System.Net;
using System.Net.Sockets;
using Npgsql;

[assembly: AssemblyFixture(typeof(ActorSweep.Tests.Infrastructure.PostgresServer))]

namespace ActorSweep.Tests.Infrastructure;

/// <summary>
/// A real PostgreSQL server for the test run: the one named by ACTORSWEEP_TEST_POSTGRES (a
/// connection string with the right to create databases), or else a throwaway server this
/// fixture starts on loopback from Debian's binaries (initdb + pg_ctl, as user postgres when
/// the tests run as root) and stops at the end. Each test gets a database of its own.
/// Without PostgreSQL the tests that need it are skipped, unless ACTORSWEEP_REQUIRE_POSTGRES=1
/// (set by scripts/test.sh, so CI cannot skip them silently).
/// </summary>
public sealed class PostgresServer : IAsyncLifetime
{
    string? _admin;
    string? _dataRoot;
    string? _pgCtl;
    int _port;
    int _databases;

    /// <summary>
    /// A throwaway server of the caller's own, which it may stop and start again (a database
    /// outage); never the shared one, which other tests are using. Dispose it.
    /// </summary>
    public static async Task<PostgresServer> OwnAsync()
    {
        var server = new PostgresServer();
        try { server._admin = await server.StartThrowawayAsync(); }
        catch (Exception e) { server.Unavailable = e.Message; }
        return server;
    }

    /// <summary>Stops the server as an outage would (fast shutdown: clients are cut off).</summary>
    public Task StopAsync() => RunAsPostgresAsync(_pgCtl!, "-D", Path.Combine(_dataRoot!, "data"), "-m", "fast", "-w", "stop");

    /// <summary>Starts a stopped server again, on the same port, with the same data.</summary>
    public Task StartAsync() => RunAsPostgresAsync(_pgCtl!, "-D", Path.Combine(_dataRoot!, "data"), "-w", "-t", "60", "-l", Path.Combine(_dataRoot!, "server.log"), "-o",
        $"-p {_port} -k {_dataRoot} -c listen_addresses=127.0.0.1 -c fsync=off -c max_connections=300", "start");

    public string? Unavailable { get; private set; }

    public async ValueTask InitializeAsync()
    {
        try
        {
            _admin = Environment.GetEnvironmentVariable("ACTORSWEEP_TEST_POSTGRES") is { Length: > 0 } given ? given : await StartThrowawayAsync();
        }
        catch (Exception e)
        {
            Unavailable = e.Message;
        }
    }

    /// <summary>A connection string to a new, empty database; skips (or fails, where required) without a server.</summary>
    public async Task<string> CreateDatabaseAsync()
    {
        if (_admin is null)
        {
            string why = $"PostgreSQL is not available: {Unavailable}";
            if (Environment.GetEnvironmentVariable("ACTORSWEEP_REQUIRE_POSTGRES") == "1") Assert.Fail(why);
            Assert.Skip(why + " (scripts/test.sh installs and starts one)");
        }
        string name = $"actorsweep_test_{Environment.ProcessId}_{Interlocked.Increment(ref _databases)}";
        await using (var connection = new NpgsqlConnection(_admin))
        {
            await connection.OpenAsync();
            await using var command = new NpgsqlCommand($"CREATE DATABASE {name}", connection);
            await command.ExecuteNonQueryAsync();
        }
        return new NpgsqlConnectionStringBuilder(_admin) { Database = name, Pooling = true }.ToString();
    }

    async Task<string> StartThrowawayAsync()
    {
        _pgCtl = Directory.Exists("/usr/lib/postgresql")
            ? Directory.GetDirectories("/usr/lib/postgresql").Select(d => Path.Combine(d, "bin", "pg_ctl")).Where(File.Exists).Order().LastOrDefault()
            : null;
        if (_pgCtl is null) throw new InvalidOperationException("no pg_ctl under /usr/lib/postgresql (apt-get install postgresql)");
        string initdb = Path.Combine(Path.GetDirectoryName(_pgCtl)!, "initdb");

        _dataRoot = Directory.CreateTempSubdirectory("actorsweep-pg-").FullName;
        string data = Path.Combine(_dataRoot, "data");
        if (Environment.UserName == "root") await RunAsync("chown", "-R", "postgres", _dataRoot); // initdb refuses to run as root
        await RunAsPostgresAsync(initdb, "-D", data, "--auth=trust", "-U", "postgres", "--no-sync", "-E", "UTF8");
        _port = FreePort();
        await StartAsync();
        return $"Host=127.0.0.1;Port={_port};Username=postgres;Database=postgres;Pooling=false";
    }

    public async ValueTask DisposeAsync()
    {
        if (_dataRoot is null) return;
        try { await RunAsPostgresAsync(_pgCtl!, "-D", Path.Combine(_dataRoot, "data"), "-m", "immediate", "stop"); }
        catch (Exception) { /* already gone */ }
        try { Directory.Delete(_dataRoot, recursive: true); } catch (IOException) { }
    }

    static Task RunAsPostgresAsync(string program, params string[] args) =>
        Environment.UserName == "root" ? RunAsync("runuser", ["-u", "postgres", "--", program, .. args]) : RunAsync(program, args);

    static async Task RunAsync(string program, params string[] args)
    {
        var start = new ProcessStartInfo(program) { RedirectStandardOutput = true, RedirectStandardError = true, UseShellExecute = false };
        foreach (var a in args) start.ArgumentList.Add(a);
        using var process = Process.Start(start)!;
        var stdout = process.StandardOutput.ReadToEndAsync();
        string stderr = await process.StandardError.ReadToEndAsync();
        await process.WaitForExitAsync();
        await stdout;
        if (process.ExitCode != 0) throw new InvalidOperationException($"{program} {string.Join(' ', args)} exited {process.ExitCode}: {stderr.Trim()}");
    }

    public static int FreePort()
    {
        using var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        return ((IPEndPoint)listener.LocalEndpoint).Port;
    }
}
