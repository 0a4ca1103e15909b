using System.Runtime.InteropServices;

namespace ActorSweep.Tests.Infrastructure;

/// <summary>Real POSIX signals to a process: SIGINT (Ctrl-C), SIGTERM (a polite stop).</summary>
public static class Signals
{
    public const int Interrupt = 2, Terminate = 15;

    public static void Send(int pid, int signal)
    {
        if (kill(pid, signal) != 0) throw new InvalidOperationException($"kill -{signal} {pid} failed: errno {Marshal.GetLastPInvokeError()}");
    }

    [DllImport("libc", SetLastError = true)]
    static extern int kill(int pid, int sig);
}
