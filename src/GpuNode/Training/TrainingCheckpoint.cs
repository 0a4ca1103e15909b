using System.Runtime.InteropServices;
using System.Security.Cryptography;
using System.Text;
using System.Text.Json;
using ActorSweep.GpuNode.Models;
using ActorSweep.Tasks;
using ActorSweep.Tasks.Addition;
using ActorSweep.Hosting.Storage;
using TorchSharp;

namespace ActorSweep.GpuNode.Training;

/// <summary>Where one named parameter lives in the flat parameter vector.</summary>
public sealed record ParameterLayout(string Name, long[] Shape, long Offset);

/// <summary>
/// Everything needed to continue a run bit for bit, in one file: the run definition (model,
/// recipe, seed), the step reached, the data position (the next training step's index; batches
/// are a pure function of it), the parameters, AdamW's two moments and update count, and the
/// Grokfast filter's gradient average (empty without one), and the curves so far.
/// File layout: "ASWEEPCK", format version, a JSON header, four float32 vectors (format 1 had
/// three: no filter), SHA-256 of all before it.
/// </summary>
public sealed record TrainingCheckpoint(
    AdditionRun Run,
    long Step,
    long OptimizerUpdates,
    float[] Parameters,
    float[] FirstMoment,
    float[] SecondMoment,
    TrainingHistory History,
    IReadOnlyList<ParameterLayout> Layout,
    double ElapsedSeconds,
    float[] GrokfastAverage)
{
    const string Magic = "ASWEEPCK";
    const uint FormatVersion = 2, FirstFormatVersion = 1;

    /// <summary>The index of the next training batch: training data is a pure function of (seed, this).</summary>
    public long DataPosition => Step;

    public static TrainingCheckpoint Capture(Trainer trainer)
    {
        var p = trainer.Model.Parameters;
        return new TrainingCheckpoint(
            trainer.Run, trainer.Step, trainer.Optimizer.UpdateCount,
            p.Values.data<float>().ToArray(),
            trainer.Optimizer.FirstMoment.data<float>().ToArray(),
            trainer.Optimizer.SecondMoment.data<float>().ToArray(),
            trainer.History,
            p.Slots.Select(s => new ParameterLayout(s.Name, s.Shape, s.Offset)).ToList(),
            trainer.ElapsedSeconds,
            trainer.Filter?.State() ?? []);
    }

    /// <summary>The trained model alone, for prediction and evaluation.</summary>
    public AdditionTransformer CreateModel()
    {
        var model = new AdditionTransformer(Run.Model, Run.Seed);
        using var _ = torch.no_grad();
        using var values = torch.tensor(Parameters);
        model.Parameters.Values.copy_(values);
        return model;
    }

    public byte[] ToBytes()
    {
        using var stream = new MemoryStream();
        using (var w = new BinaryWriter(stream, Encoding.UTF8, leaveOpen: true))
        {
            w.Write(Encoding.ASCII.GetBytes(Magic));
            w.Write(FormatVersion);
            var header = JsonSerializer.SerializeToUtf8Bytes(new Header(Run, Step, DataPosition,
                new OptimizerHeader("adamw", OptimizerUpdates), Layout, History, ElapsedSeconds), TaskJson.Options);
            w.Write(header.Length);
            w.Write(header);
            WriteVector(w, Parameters);
            WriteVector(w, FirstMoment);
            WriteVector(w, SecondMoment);
            WriteVector(w, GrokfastAverage);
        }
        stream.Write(SHA256.HashData(stream.GetBuffer().AsSpan(0, (int)stream.Length)));
        return stream.ToArray();
    }

    public static TrainingCheckpoint FromBytes(byte[] bytes, string source = "checkpoint")
    {
        if (bytes.Length < Magic.Length + 4 + 32 || Encoding.ASCII.GetString(bytes, 0, Magic.Length) != Magic)
            throw new InvalidDataException($"{source} is not an ActorSweep checkpoint");
        var body = bytes.AsSpan(0, bytes.Length - 32);
        if (!SHA256.HashData(body).AsSpan().SequenceEqual(bytes.AsSpan(bytes.Length - 32)))
            throw new InvalidDataException($"{source} is damaged: its checksum does not match its contents");

        using var r = new BinaryReader(new MemoryStream(bytes, 0, bytes.Length - 32));
        r.ReadBytes(Magic.Length);
        uint version = r.ReadUInt32();
        if (version is not (FirstFormatVersion or FormatVersion))
            throw new InvalidDataException($"{source} has checkpoint format {version}; this build reads formats {FirstFormatVersion} and {FormatVersion}");
        var header = JsonSerializer.Deserialize<Header>(r.ReadBytes(r.ReadInt32()), TaskJson.Options)
                     ?? throw new InvalidDataException($"{source} has an empty header");
        try { header.Run.Validate(); }
        catch (ArgumentException e) { throw new InvalidDataException($"{source} holds an invalid run: {e.Message}"); }
        var parameters = ReadVector(r);
        var first = ReadVector(r);
        var second = ReadVector(r);
        var average = version == FirstFormatVersion ? [] : ReadVector(r);
        long expected = header.Run.Model.ParameterCount;
        if (parameters.Length != expected || first.Length != expected || second.Length != expected || average.Length is not 0 && average.Length != expected)
            throw new InvalidDataException($"{source} holds {parameters.Length} parameters; its model has {expected}");
        return new TrainingCheckpoint(header.Run, header.Step, header.Optimizer.Updates, parameters, first, second,
            header.History, header.Layout, header.ElapsedSeconds, average);
    }

    /// <summary>Writes the file atomically: a crash leaves either the old checkpoint or the new one.</summary>
    public void Save(string path) => AtomicFile.Write(path, ToBytes());

    public static TrainingCheckpoint Load(string path)
    {
        if (!File.Exists(path)) throw new FileNotFoundException($"checkpoint '{path}' does not exist", path);
        return FromBytes(File.ReadAllBytes(path), $"'{path}'");
    }

    // Vectors are raw little-endian float32, the byte order of every platform .NET and libtorch target here.
    static void WriteVector(BinaryWriter w, float[] values)
    {
        w.Write((long)values.Length);
        w.Write(MemoryMarshal.AsBytes(values.AsSpan()));
    }

    static float[] ReadVector(BinaryReader r)
    {
        long n = r.ReadInt64();
        if (n is < 0 or > 1L << 30) throw new InvalidDataException($"a checkpoint vector of {n} values is not plausible");
        var values = new float[n];
        var bytes = r.ReadBytes(checked((int)n * 4));
        if (bytes.Length != n * 4) throw new InvalidDataException("checkpoint is truncated");
        bytes.CopyTo(MemoryMarshal.AsBytes(values.AsSpan()));
        return values;
    }

    sealed record OptimizerHeader(string Kind, long Updates);

    sealed record Header(AdditionRun Run, long Step, long DataPosition, OptimizerHeader Optimizer,
                         IReadOnlyList<ParameterLayout> Layout, TrainingHistory History, double ElapsedSeconds);
}
