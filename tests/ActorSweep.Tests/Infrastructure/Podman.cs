using System.Diagnostics;

namespace ActorSweep.Tests.Infrastructure;

/// <summary>
/// Debian 12's podman, set up as these machines need it (../shared/PLATFORM.md): runc rather than
/// crun (crun fails on the hybrid cgroup setup), cgroupfs, no default ulimits, and the host's
/// network so that the containers reach the test's PostgreSQL and each other on loopback.
/// </summary>
public sealed class Podman
{
    const string Runc = "/usr/sbin/runc";
    readonly string _config;

    Podman(string executable, string config)
    {
        Executable = executable;
        _config = config;
    }

    public string Executable { get; }

    /// <summary>podman where it is installed (with runc), else null.</summary>
    public static Podman? Find()
    {
        string? podman = new[] { "/usr/bin/podman", "/usr/local/bin/podman" }.FirstOrDefault(File.Exists);
        if (podman is null || !File.Exists(Runc)) return null;
        string config = Path.Combine(Path.GetTempPath(), "actorsweep-podman", "containers.conf");
        Directory.CreateDirectory(Path.GetDirectoryName(config)!);
        File.WriteAllText(config, "[containers]\ndefault_ulimits = []\n[engine]\ncgroup_manager = \"cgroupfs\"\n");
        return new Podman(podman, config);
    }

    /// <summary>The environment podman (and scripts that call it) run with.</summary>
    public void Configure(ProcessStartInfo start) => start.Environment["CONTAINERS_CONF"] = _config;

    /// <summary>`podman run` in the foreground: removed when it stops, host network, this machine's runtime.</summary>
    public ProcessStartInfo RunStartInfo(string name, string image, IEnumerable<string> runOptions)
    {
        var start = new ProcessStartInfo(Executable);
        Configure(start);
        foreach (var a in (string[])["run", "--rm", "--name", name, "--runtime", Runc, "--network", "host", .. runOptions, image])
            start.ArgumentList.Add(a);
        return start;
    }

    /// <summary>SIGKILL to the container's main process: no drain, no goodbye.</summary>
    public void Kill(string name)
    {
        var result = Run("kill", "--signal", "KILL", name);
        if (result.ExitCode != 0) throw new InvalidOperationException($"podman kill {name}: {result.Output}");
    }

    /// <summary>Removes the container whatever its state (ignored when it is already gone).</summary>
    public void Remove(string name) => Run("rm", "--force", "--ignore", name);

    public (int ExitCode, string Output) Run(params string[] args)
    {
        var start = new ProcessStartInfo(Executable) { RedirectStandardOutput = true, RedirectStandardError = true };
        Configure(start);
        foreach (var a in args) start.ArgumentList.Add(a);
        using var process = Process.Start(start)!;
        var stderr = process.StandardError.ReadToEndAsync();
        string output = process.StandardOutput.ReadToEnd();
        process.WaitForExit();
        return (process.ExitCode, output + stderr.Result);
    }
}
