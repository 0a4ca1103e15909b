using System.Diagnostics;
using System.Text;

namespace ActorSweep.Tests.Infrastructure;

/// <summary>
/// A seed or worker host running as a real OS process on loopback (`dotnet actorsweep-seed.dll seed`
/// or `dotnet actorsweep-worker.dll`), with its output kept for failure messages. It can be
/// killed with SIGKILL (no goodbye) or asked to stop with SIGTERM (drains first).
/// </summary>
public sealed class NodeProcess : IDisposable
{
    readonly Process _process;
    readonly StringBuilder _output = new();

    readonly Action? _kill;

    NodeProcess(string name, string program, IEnumerable<string> args)
        : this(name, new ProcessStartInfo("dotnet") { ArgumentList = { Path.Combine(AppContext.BaseDirectory, program) } }, args, kill: null) { }

    NodeProcess(string name, ProcessStartInfo start, IEnumerable<string> args, Action? kill)
    {
        Name = name;
        _kill = kill;
        start.RedirectStandardOutput = start.RedirectStandardError = true;
        start.UseShellExecute = false;
        foreach (var a in args) start.ArgumentList.Add(a);
        start.Environment["DOTNET_gcServer"] = "0";
        _process = Process.Start(start)!;
        _process.OutputDataReceived += (_, e) => Append(e.Data);
        _process.ErrorDataReceived += (_, e) => Append(e.Data);
        _process.BeginOutputReadLine();
        _process.BeginErrorReadLine();
    }

    /// <summary>
    /// A host in a container of its image, run in the foreground by podman so its output is kept.
    /// SIGKILL goes to the container's own process (`podman kill`), not to the podman client.
    /// </summary>
    public static NodeProcess Container(Podman podman, string name, string image, IEnumerable<string> runOptions, params string[] args) =>
        new(name, podman.RunStartInfo(name, image, runOptions), args, kill: () => podman.Kill(name));

    public string Name { get; }
    /// <summary>Set once the test killed or terminated it on purpose.</summary>
    public bool ExitExpected { get; private set; }
    public int Pid => _process.Id;
    public bool HasExited => _process.HasExited;
    public int ExitCode => _process.ExitCode;

    /// <summary>What it printed so far; once it has exited, all of it (the last lines can arrive after the exit is seen).</summary>
    public string Output
    {
        get
        {
            if (_process.HasExited) _process.WaitForExit(); // without a timeout it also waits for the redirected streams to end
            lock (_output) return _output.ToString();
        }
    }

    void Append(string? line)
    {
        if (line is null) return;
        lock (_output) _output.AppendLine(line);
    }

    /// <summary>Any ActorSweep host with exactly these arguments (`actorsweep-seed.dll` or `actorsweep-worker.dll`).</summary>
    public static NodeProcess Start(string name, string program, params string[] args) => new(name, program, args);

    public static string Address(int port) => $"akka.tcp://actorsweep@127.0.0.1:{port}";

    /// <summary>`actorsweep-seed seed` (the seed host without TorchSharp, as the seed image runs it) on a fixed remoting port and API port, journalling to PostgreSQL.</summary>
    public static NodeProcess Seed(string name, int port, int apiPort, IEnumerable<int> seedPorts, string postgres, params string[] extra) =>
        new(name, "actorsweep-seed.dll",
        [
            "seed", "--port", port.ToString(), "--seed-nodes", string.Join(",", seedPorts.Select(Address)),
            "--postgres", postgres, "--api-urls", $"http://127.0.0.1:{apiPort}", .. extra,
        ]);

    /// <summary>`actorsweep-worker` joining the given seeds, keeping checkpoints in PostgreSQL.</summary>
    public static NodeProcess Worker(string name, int port, IEnumerable<int> seedPorts, string postgres, int slots = 1, params string[] extra) =>
        new(name, "actorsweep-worker.dll",
        [
            "--port", port.ToString(), "--seed-nodes", string.Join(",", seedPorts.Select(Address)),
            "--postgres", postgres, "--slots", slots.ToString(), .. extra,
        ]);

    /// <summary>The node id this process has in sweeps starts with its address (the uid follows); akka.ssl.tcp with TLS.</summary>
    public static string NodeIdPrefix(int port, bool tls = false) => (tls ? Address(port).Replace("akka.tcp:", "akka.ssl.tcp:") : Address(port)) + "#";

    /// <summary>Marks an exit of its own as what the test wants (a node that must refuse to start).</summary>
    public NodeProcess ExpectingExit()
    {
        ExitExpected = true;
        return this;
    }

    /// <summary>SIGKILL: the process dies at once, with no drain and no goodbye to the cluster.</summary>
    public void Kill()
    {
        ExitExpected = true;
        if (_kill is not null) _kill();
        else _process.Kill();
        _process.WaitForExit();
    }

    /// <summary>SIGTERM: the host drains (checkpoints and hands back its runs) and leaves.</summary>
    public void Terminate()
    {
        ExitExpected = true;
        Signals.Send(_process.Id, Signals.Terminate);
    }

    public async Task<bool> WaitForExitAsync(TimeSpan timeout)
    {
        using var cancel = new CancellationTokenSource(timeout);
        try
        {
            await _process.WaitForExitAsync(cancel.Token);
            return true;
        }
        catch (OperationCanceledException) { return false; }
    }

    public void Dispose()
    {
        if (!_process.HasExited)
            try { Kill(); } catch (InvalidOperationException) { }
        _process.Dispose();
    }
}
