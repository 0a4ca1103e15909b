using System.Text;

namespace ActorSweep.Hosting.Storage;

/// <summary>Checkpoints as files under a directory: DIR/SWEEP/RUN/STEP.aATTEMPT.ckpt, written atomically.</summary>
public sealed class DirectoryCheckpointStore(string root) : ICheckpointStore
{
    public const string Prefix = "file:";
    readonly string _root = Path.GetFullPath(root);

    public string Save(string sweepId, string runId, int attempt, long step, byte[] data)
    {
        string relative = Path.Combine(SafeName(sweepId), SafeName(runId), $"{step:D12}.a{attempt}.ckpt");
        string path = Path.Combine(_root, relative);
        AtomicFile.Write(path, data);
        return Prefix + relative.Replace(Path.DirectorySeparatorChar, '/');
    }

    public void DeleteOlder(string sweepId, string runId, long step)
    {
        string folder = Path.Combine(_root, SafeName(sweepId), SafeName(runId));
        if (!Directory.Exists(folder)) return;
        foreach (var file in Directory.GetFiles(folder, "*.ckpt"))
            if (long.TryParse(Path.GetFileName(file).Split('.')[0], out long saved) && saved < step) File.Delete(file);
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
