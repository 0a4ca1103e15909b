using System.Diagnostics;
using ActorSweep.Cli;

namespace ActorSweep.Tests.Cli;

public sealed record CliResult(int ExitCode, string Output, string Error);

/// <summary>Runs `actorsweep` in-process (fast) or as a real OS process.</summary>
public static class CliRunner
{
    public static async Task<CliResult> RunAsync(params string[] args) => await RunAsync(args, CancellationToken.None);

    public static async Task<CliResult> RunAsync(string[] args, CancellationToken cancellation)
    {
        var output = new StringWriter();
        var error = new StringWriter();
        int code = await ActorSweepCli.RunAsync(args, output, error, cancellation);
        return new CliResult(code, output.ToString(), error.ToString());
    }

    /// <summary>The built actorsweep program (it is referenced by the test project, so it sits beside the tests).</summary>
    public static string ProgramPath => Path.Combine(AppContext.BaseDirectory, "actorsweep.dll");

    public static async Task<CliResult> RunProcessAsync(string stdin, params string[] args)
    {
        var start = new ProcessStartInfo("dotnet")
        {
            RedirectStandardInput = true, RedirectStandardOutput = true, RedirectStandardError = true, UseShellExecute = false,
        };
        start.ArgumentList.Add(ProgramPath);
        foreach (var a in args) start.ArgumentList.Add(a);
        using var process = Process.Start(start)!;
        var stdout = process.StandardOutput.ReadToEndAsync();
        var stderr = process.StandardError.ReadToEndAsync();
        await process.StandardInput.WriteAsync(stdin);
        process.StandardInput.Close();
        using var timeout = new CancellationTokenSource(TimeSpan.FromMinutes(2));
        await process.WaitForExitAsync(timeout.Token);
        return new CliResult(process.ExitCode, await stdout, await stderr);
    }
}
