using System.Text;

namespace ActorSweep.GpuNode.Checkpoints;

/// <summary>Checkpoints as files under a directory: DIR/SWEEP/RUN/STEP.ckpt, written atomically.</summary>
public sealed class DirectoryCheckpointStore(string root) : ICheckpointStore
{
    public const string Prefix = "file:";
    const int Keep = 3;
    readonly string _root = Path.GetFullPath(root);

    public string Save(string sweepId, string runId, long step, byte[] data)
    {
        string relative = Path.Combine(SafeName(sweepId), SafeName(runId), $"{step:D12}.ckpt");
        string path = Path.Combine(_root, relative);
        Directory.CreateDirectory(Path.GetDirectoryName(path)!);
        string temp = path + ".tmp";
        File.WriteAllBytes(temp, data);
        File.Move(temp, path, overwrite: true);
        foreach (var old in Directory.GetFiles(Path.GetDirectoryName(path)!, "*.ckpt").Order(StringComparer.Ordinal).SkipLast(Keep))
            File.Delete(old);
        return Prefix + relative.Replace(Path.DirectorySeparatorChar, '/');
    }

    public byte[] Load(string reference)
    {
        if (!reference.StartsWith(Prefix)) throw new FileNotFoundException($"'{reference}' is not a directory checkpoint reference");
        string relative = reference[Prefix.Length..];
        string path = Path.GetFullPath(Path.Combine(_root, relative));
        if (!path.StartsWith(_root + Path.DirectorySeparatorChar)) throw new FileNotFoundException($"'{reference}' points outside the checkpoint directory");
        return File.Exists(path) ? File.ReadAllBytes(path) : throw new FileNotFoundException($"checkpoint '{reference}' is not in {_root}");
    }

    /// <summary>A file-name-safe, injective rendering of an id (unsafe characters become %XX).</summary>
    static string SafeName(string id)
    {
        var sb = new StringBuilder();
        foreach (char c in id)
            if (char.IsAsciiLetterOrDigit(c) || c is '-' or '_' or '.' or '@' or '=' or ',') sb.Append(c);
            else sb.Append('%').Append(((int)c).ToString("X2"));
        return sb.ToString();
    }
}
