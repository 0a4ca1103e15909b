using System.Runtime.CompilerServices;
using TorchSharp;

namespace ActorSweep.Tests;

/// <summary>Process-wide settings every test relies on.</summary>
static class TestEnvironment
{
    /// <summary>libtorch's thread count is process-wide; one intra-op thread keeps training bit-reproducible
    /// and lets tests run side by side without fighting over cores.</summary>
    [ModuleInitializer]
    internal static void Initialize() => torch.set_num_threads(1);

    /// <summary>The repository root (the folder holding ActorSweep.sln).</summary>
    public static string RepositoryRoot { get; } = FindRoot();

    static string FindRoot()
    {
        for (var dir = new DirectoryInfo(AppContext.BaseDirectory); dir is not null; dir = dir.Parent)
            if (File.Exists(Path.Combine(dir.FullName, "ActorSweep.sln"))) return dir.FullName;
        throw new InvalidOperationException("ActorSweep.sln not found above " + AppContext.BaseDirectory);
    }
}
