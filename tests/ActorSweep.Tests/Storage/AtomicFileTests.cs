using ActorSweep.Hosting.Storage;

namespace ActorSweep.Tests.Storage;

public sealed class AtomicFileTests : IDisposable
{
    readonly string _dir = Directory.CreateTempSubdirectory("actorsweep-atomic-").FullName;

    [Fact]
    public void Replaces_the_file_whole_and_leaves_no_temporary_file()
    {
        string path = Path.Combine(_dir, "nested", "report.json");
        AtomicFile.WriteText(path, "first");
        AtomicFile.Write(path, new byte[] { 1, 2, 3 });
        Assert.Equal(new byte[] { 1, 2, 3 }, File.ReadAllBytes(path));
        AtomicFile.Write(path, stream => stream.Write("rendered"u8));
        Assert.Equal("rendered", File.ReadAllText(path));
        Assert.Equal(["report.json"], Directory.GetFiles(Path.GetDirectoryName(path)!).Select(Path.GetFileName));
    }

    [Fact]
    public void A_failed_write_keeps_the_old_file_and_cleans_up()
    {
        string path = Path.Combine(_dir, "checkpoint.ckpt");
        AtomicFile.WriteText(path, "old");
        Assert.ThrowsAny<Exception>(() => AtomicFile.Write(path, _ => throw new IOException("disk full")));
        Assert.ThrowsAny<IOException>(() => AtomicFile.Write(Path.Combine(path, "not-a-directory", "x"), "y"u8));
        Assert.Equal("old", File.ReadAllText(path));
        Assert.Equal(["checkpoint.ckpt"], Directory.GetFiles(_dir).Select(Path.GetFileName));
    }

    public void Dispose() => Directory.Delete(_dir, recursive: true);
}
