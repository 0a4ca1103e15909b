using System.Runtime.InteropServices;
using System.Text;

namespace ActorSweep.Hosting.Storage;

/// <summary>
/// The one way ActorSweep writes a file that must never be seen half-written (checkpoints,
/// reports, run artifacts, plots): write a temporary file beside it, fsync it, rename it over the
/// target, then fsync the directory so the rename itself survives a power cut. A crash leaves
/// the old file or the new one, never a mix.
/// </summary>
public static class AtomicFile
{
    public static void Write(string path, ReadOnlySpan<byte> contents)
    {
        string full = Path.GetFullPath(path);
        string directory = Path.GetDirectoryName(full)!;
        Directory.CreateDirectory(directory);
        // One temporary name per target: a write cut short by a crash is overwritten by the next one.
        string temp = Path.Combine(directory, $".{Path.GetFileName(full)}.tmp");
        try
        {
            using (var file = new FileStream(temp, FileMode.Create, FileAccess.Write, FileShare.None))
            {
                file.Write(contents);
                file.Flush(flushToDisk: true);
            }
            File.Move(temp, full, overwrite: true);
        }
        catch
        {
            try { File.Delete(temp); } catch (IOException) { } // keep the original error
            throw;
        }
        SyncDirectory(directory);
    }

    public static void WriteText(string path, string text) => Write(path, Encoding.UTF8.GetBytes(text));

    /// <summary>Renders into memory with <paramref name="render"/>, then writes atomically (for libraries that write to a stream).</summary>
    public static void Write(string path, Action<Stream> render)
    {
        using var buffer = new MemoryStream();
        render(buffer);
        Write(path, buffer.GetBuffer().AsSpan(0, (int)buffer.Length));
    }

    /// <summary>fsync on the directory makes a rename in it durable (POSIX); Windows has no such call and needs none.</summary>
    static void SyncDirectory(string directory)
    {
        if (OperatingSystem.IsWindows()) return;
        int fd = Posix.open(directory, Posix.O_RDONLY | Posix.O_DIRECTORY);
        if (fd < 0) throw new IOException($"cannot open directory '{directory}' to sync it (errno {Marshal.GetLastPInvokeError()})");
        try
        {
            if (Posix.fsync(fd) != 0) throw new IOException($"fsync of directory '{directory}' failed (errno {Marshal.GetLastPInvokeError()})");
        }
        finally
        {
            Posix.close(fd);
        }
    }

    static class Posix
    {
        public const int O_RDONLY = 0;
        public static readonly int O_DIRECTORY = OperatingSystem.IsMacOS() ? 0x100000 : 0x10000;

        [DllImport("libc", SetLastError = true)] public static extern int open([MarshalAs(UnmanagedType.LPUTF8Str)] string path, int flags);
        [DllImport("libc", SetLastError = true)] public static extern int fsync(int fd);
        [DllImport("libc", SetLastError = true)] public static extern int close(int fd);
    }
}
