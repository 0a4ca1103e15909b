using System.Reflection;
using System.Text.Json;

namespace ActorSweep.Tests.Build;

/// <summary>
/// Dependencies point one way: the core (Tasks, Messages, Hosting, Telemetry) and the supervisor
/// side (Seed) never reach TorchSharp, directly or transitively; the worker side (GpuNode) never
/// reaches the supervisor side. Only the `actorsweep` command (Cli) references both.
/// </summary>
public sealed class DependencyDirectionTests
{
    static readonly string[] TorchFree = ["ActorSweep.Tasks", "ActorSweep.Messages", "ActorSweep.Hosting", "ActorSweep.Telemetry", "actorsweep-seed"];

    [Theory]
    [MemberData(nameof(TorchFreeAssemblies))]
    public void No_torch_free_assembly_reaches_TorchSharp_or_the_worker_side(string assembly)
    {
        var reached = Closure(assembly);
        Assert.DoesNotContain(reached, name => name.StartsWith("TorchSharp", StringComparison.OrdinalIgnoreCase));
        Assert.DoesNotContain("actorsweep-worker", reached);
        Assert.DoesNotContain("actorsweep", reached);
    }

    public static TheoryData<string> TorchFreeAssemblies => new(TorchFree);

    [Fact]
    public void The_worker_side_never_reaches_the_supervisor_side()
    {
        var reached = Closure("actorsweep-worker");
        Assert.Contains("TorchSharp", reached);                       // the check can see TorchSharp where it is
        Assert.DoesNotContain("actorsweep-seed", reached);
        // The journal lives on the supervisor side (Akka.Persistence itself comes with Akka.Cluster.Hosting's sharding).
        Assert.DoesNotContain(reached, name => name.StartsWith("Akka.Persistence.Sql", StringComparison.Ordinal) || name == "linq2db");
    }

    [Fact]
    public void The_command_line_is_the_composition_root()
    {
        var reached = Closure("actorsweep");
        Assert.Contains("actorsweep-seed", reached);
        Assert.Contains("actorsweep-worker", reached);
    }

    /// <summary>
    /// The seed host's build output, what its image ships: its dependency manifest lists no
    /// TorchSharp or libtorch package, and no native libtorch file was copied beside it.
    /// </summary>
    [Fact]
    public void The_seed_hosts_build_output_has_no_libtorch()
    {
        string output = Path.Combine(TestEnvironment.RepositoryRoot, "src", "Seed", "bin", "Release", "net10.0");
        string depsFile = Path.Combine(output, "actorsweep-seed.deps.json");
        Assert.True(File.Exists(depsFile), $"build the solution in Release first: {depsFile} is missing");
        using var deps = JsonDocument.Parse(File.ReadAllText(depsFile));
        var libraries = deps.RootElement.GetProperty("libraries").EnumerateObject().Select(p => p.Name).ToList();
        Assert.Contains(libraries, l => l.StartsWith("Akka.Persistence.Sql/", StringComparison.Ordinal));
        Assert.DoesNotContain(libraries, l => l.StartsWith("TorchSharp", StringComparison.OrdinalIgnoreCase) || l.StartsWith("libtorch", StringComparison.OrdinalIgnoreCase));
        var torchFiles = Directory.EnumerateFiles(output, "*", SearchOption.AllDirectories)
            .Where(f => Path.GetFileName(f).Contains("torch", StringComparison.OrdinalIgnoreCase)).ToList();
        Assert.Empty(torchFiles);
    }

    /// <summary>The project files too: a reference no code uses yet is invisible in the compiled assemblies.</summary>
    [Theory]
    [InlineData("Tasks"), InlineData("Messages"), InlineData("Hosting"), InlineData("Telemetry"), InlineData("Seed")]
    public void No_torch_free_project_file_references_TorchSharp_or_the_worker_side(string project)
    {
        string file = File.ReadAllText(Directory.GetFiles(Path.Combine(TestEnvironment.RepositoryRoot, "src", project), "*.csproj").Single());
        string text = System.Text.RegularExpressions.Regex.Replace(file, "<!--.*?-->", "", System.Text.RegularExpressions.RegexOptions.Singleline);
        Assert.Contains("<Project", text);
        Assert.DoesNotContain("TorchSharp", text, StringComparison.OrdinalIgnoreCase);
        Assert.DoesNotContain("libtorch", text, StringComparison.OrdinalIgnoreCase);
        Assert.DoesNotContain("GpuNode", text);
        Assert.DoesNotContain("Cli", text);
    }

    /// <summary>Every assembly an assembly references, transitively, by simple name (framework assemblies left out).</summary>
    static HashSet<string> Closure(string root)
    {
        var seen = new HashSet<string>(StringComparer.Ordinal);
        var pending = new Stack<AssemblyName>([new AssemblyName(root)]);
        while (pending.TryPop(out var name))
        {
            if (!seen.Add(name.Name!) || IsFramework(name.Name!)) continue;
            Assembly assembly;
            try { assembly = Assembly.Load(name); }
            catch (FileNotFoundException) { continue; } // a reference never loaded at run time (design-time only)
            foreach (var reference in assembly.GetReferencedAssemblies()) pending.Push(reference);
        }
        seen.Remove(root);
        return seen;
    }

    static bool IsFramework(string name) => name is "mscorlib" or "netstandard" || name.StartsWith("System", StringComparison.Ordinal) || name.StartsWith("Microsoft", StringComparison.Ordinal);
}
