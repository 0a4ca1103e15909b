using ActorSweep.Build;
using TorchSharp;

namespace ActorSweep.Tests.Build;

/// <summary>The build's libstdc++ compatibility step (build/TorchSharpNative.targets) and TorchSharp loading.</summary>
public sealed class TorchSharpNativeLoadTests
{
    const string Glibcxx332 = "GLIBCXX_3.4.32";
    static readonly string OutputCopy = Path.Combine(AppContext.BaseDirectory, "runtimes", "linux-x64", "native", "libLibTorchSharp.so");

    [Fact]
    public void TorchSharp_loads_and_computes()
    {
        using var a = torch.tensor(new float[] { 1, 2, 3 });
        using var b = torch.tensor(new float[] { 4, 5, 6 });
        using var dot = a.dot(b);
        Assert.Equal(32f, dot.item<float>());
    }

    [Fact]
    public void Output_copy_is_patched_exactly_where_the_system_libstdcxx_lacks_3_4_32()
    {
        Assert.True(OperatingSystem.IsLinux(), "the native patch only concerns Linux");
        Assert.True(File.Exists(OutputCopy), $"{OutputCopy} is missing");
        var need = Assert.Single(ElfVersionNeeds.Read(File.ReadAllBytes(OutputCopy)), n => n.Version == Glibcxx332);
        string? system = ElfVersionNeeds.FindSystemLibStdCxx();
        bool systemHasIt = system is not null && ElfVersionNeeds.LibraryMentions(system, Glibcxx332);
        Assert.Equal(!systemHasIt && system is not null, need.IsWeak);
        Assert.Equal("libstdc++.so.6", need.File);
    }

    [Fact]
    public void Marking_weak_changes_only_that_entry_and_is_idempotent()
    {
        string original = PackageCopy();
        string copy = Path.Combine(Path.GetTempPath(), $"libLibTorchSharp-{Guid.NewGuid():N}.so");
        File.Copy(original, copy);
        try
        {
            var before = ElfVersionNeeds.Read(File.ReadAllBytes(copy));
            Assert.False(before.Single(n => n.Version == Glibcxx332).IsWeak);

            Assert.True(ElfVersionNeeds.MarkWeak(copy, Glibcxx332));
            var after = ElfVersionNeeds.Read(File.ReadAllBytes(copy));
            Assert.Equal(before.Count, after.Count);
            for (int i = 0; i < before.Count; i++)
            {
                Assert.Equal(before[i].Version, after[i].Version);
                Assert.Equal(before[i].Version == Glibcxx332, after[i].IsWeak);
            }
            Assert.False(ElfVersionNeeds.MarkWeak(copy, Glibcxx332)); // already weak: nothing to do

            // Only the two flag bytes differ.
            var a = File.ReadAllBytes(original);
            var b = File.ReadAllBytes(copy);
            Assert.Equal(a.Length, b.Length);
            Assert.Equal(1, Enumerable.Range(0, a.Length).Count(i => a[i] != b[i]));
        }
        finally { File.Delete(copy); }
    }

    [Fact]
    public void Package_in_the_nuget_cache_is_never_modified()
    {
        var need = ElfVersionNeeds.Read(File.ReadAllBytes(PackageCopy())).Single(n => n.Version == Glibcxx332);
        Assert.False(need.IsWeak);
    }

    [Fact]
    public void Reading_a_file_that_is_not_elf_fails_clearly()
    {
        var e = Assert.Throws<InvalidDataException>(() => ElfVersionNeeds.Read(new byte[128]));
        Assert.Contains("not an ELF file", e.Message);
    }

    static string PackageCopy()
    {
        string root = Environment.GetEnvironmentVariable("NUGET_PACKAGES")
                      ?? Path.Combine(Environment.GetFolderPath(Environment.SpecialFolder.UserProfile), ".nuget", "packages");
        string path = Path.Combine(root, "torchsharp", "0.107.0", "runtimes", "linux-x64", "native", "libLibTorchSharp.so");
        Assert.True(File.Exists(path), $"{path} is missing");
        return path;
    }
}
