using System.Text.Json.Serialization;

namespace ActorSweep.Tasks.Addition;

[JsonConverter(typeof(JsonStringEnumConverter<PositionScheme>))]
public enum PositionScheme
{
    [JsonStringEnumMemberName("learned")] Learned,
    [JsonStringEnumMemberName("sinusoidal")] Sinusoidal,
    [JsonStringEnumMemberName("rope")] Rope,
}

[JsonConverter(typeof(JsonStringEnumConverter<NormKind>))]
public enum NormKind
{
    [JsonStringEnumMemberName("layernorm")] LayerNorm,
    [JsonStringEnumMemberName("rmsnorm")] RmsNorm,
}

/// <summary>The FFN's form: the seed's GELU MLP (d → F → d) or a SwiGLU (silu(gate)·up, then down: three F×d maps).</summary>
[JsonConverter(typeof(JsonStringEnumConverter<FfnKind>))]
public enum FfnKind
{
    [JsonStringEnumMemberName("gelu")] Gelu,
    [JsonStringEnumMemberName("swiglu")] SwiGlu,
}

/// <summary>
/// Every architecture option of the seed's model family (docs/WORKLOAD.md, "Model").
/// Defaults are the seed's <c>Config</c> defaults.
/// </summary>
public sealed record ModelOptions
{
    [JsonPropertyName("n_layers")] public int Layers { get; init; } = 1;
    public int DModel { get; init; } = 7;
    [JsonPropertyName("n_heads")] public int Heads { get; init; } = 1;
    /// <summary>Width of each attention head; 0 (the seed's) gives d_model / n_heads. Set, the
    /// attention works at n_heads·head_dim channels, which need not equal d_model: a 3-wide model
    /// with one 4-wide head gets two rotary frequencies where its own width allows one.</summary>
    [JsonPropertyName("head_dim")] public int HeadWidth { get; init; } = 0;
    public int DFf { get; init; } = 28;
    /// <summary>GELU MLP (the seed's) or SwiGLU.</summary>
    public FfnKind Ffn { get; init; } = FfnKind.Gelu;
    /// <summary>Bias on the FFN's linears (each F-wide map and the d-wide output).</summary>
    public bool FfnBias { get; init; } = true;
    /// <summary>Output head shares the token embedding.</summary>
    public bool TiedEmbeddings { get; init; } = false;
    public PositionScheme Positions { get; init; } = PositionScheme.Learned;
    public NormKind Norm { get; init; } = NormKind.LayerNorm;
    /// <summary>'+', '=', PAD and EOS tokens (vocabulary 14, context 35) or digits only (10, 31).</summary>
    public bool Delimiters { get; init; } = true;
    /// <summary>One shared q = k projection plus v (2d² instead of 3d²).</summary>
    public bool TiedQk { get; init; } = false;
    /// <summary>One shared k = v projection plus q (as tied_qk, but keys are the values).</summary>
    public bool TiedKv { get; init; } = false;
    /// <summary>Operands written least significant digit first (not the seed's format: see <see cref="AdditionFormat"/>).</summary>
    public bool ReversedOperands { get; init; } = false;
    /// <summary>The attention's output projection is the value projection transposed (d² fewer).</summary>
    public bool TiedVo { get; init; } = false;
    /// <summary>RMSNorm on each head's queries and keys before rotation, as in Qwen3 (a head_dim-wide scale each, shared by the heads).</summary>
    public bool QkNorm { get; init; } = false;
    /// <summary>The attention's output projection is the query projection transposed (d² fewer; with tied_kv, as in the smallest trained adders).</summary>
    public bool TiedOq { get; init; } = false;
    /// <summary>Token embedding factorised as [V, r]·[r, d] (V·r + r·d instead of V·d); 0 keeps it whole.
    /// A tied output head uses the product too.</summary>
    public int EmbeddingRank { get; init; } = 0;
    /// <summary>Learned positions factorised as [T, r]·[r, d] (T·r + r·d instead of T·d); 0 keeps them whole.</summary>
    public int PositionRank { get; init; } = 0;
    /// <summary>Rotary base (10000 in the seed).</summary>
    public double RopeBase { get; init; } = 10000;
    /// <summary>Epsilon of LayerNorm and RMSNorm (Flax's 1e-6, not PyTorch's 1e-5).</summary>
    public double NormEpsilon { get; init; } = 1e-6;

    [JsonIgnore] public AdditionFormat Format => AdditionFormat.For(Delimiters, ReversedOperands);
    [JsonIgnore] public int VocabSize => Format.VocabSize;
    [JsonIgnore] public int Context => Format.Context;
    [JsonIgnore] public int HeadDim => HeadWidth > 0 ? HeadWidth : DModel / Heads;
    /// <summary>Channels of q, k and v: n_heads·head_dim (d_model unless head_dim is set).</summary>
    [JsonIgnore] public int AttentionWidth => Heads * HeadDim;

    /// <summary>The seed's formula: V·d + T·d (learned positions) + L·(2·norm + 4d² (3d² tied q/k
    /// or k/v) + 2·d·d_ff (+ d_ff + d with FFN bias)) + norm + V·d (untied head), norm = 2d or d;
    /// tied v/o (or o/q) takes d² per layer off, qk_norm adds 2·head_dim (head_dim with tied q/k), a SwiGLU FFN has three d·d_ff maps (and 2·d_ff + d biases),
    /// and a factorised embedding of rank r costs N·r + r·d instead of N·d.
    /// With head_dim set each attention d² becomes d·n_heads·head_dim.</summary>
    [JsonIgnore]
    public long ParameterCount
    {
        get
        {
            long d = DModel, v = VocabSize, t = Context, ff = DFf, a = AttentionWidth;
            long norm = Norm == NormKind.LayerNorm ? 2 * d : d;
            long attention = (2 + (TiedQk || TiedKv ? 0 : 1) + (TiedVo || TiedOq ? 0 : 1)) * d * a;
            long ffnMaps = Ffn == FfnKind.SwiGlu ? 3 : 2;
            long ffn = ffnMaps * d * ff + (FfnBias ? (ffnMaps - 1) * ff + d : 0);
            long qkNorm = QkNorm ? (TiedQk ? 1 : 2) * HeadDim : 0;
            long Embedding(long rows, int rank) => rank > 0 ? rows * rank + rank * d : rows * d;
            return Embedding(v, EmbeddingRank)
                   + (Positions == PositionScheme.Learned ? Embedding(t, PositionRank) : 0)
                   + Layers * (2 * norm + attention + qkNorm + ffn)
                   + norm
                   + (TiedEmbeddings ? 0 : v * d);
        }
    }

    /// <summary>
    /// Memory training needs, roughly: 16 bytes per parameter (weights, gradients and AdamW's two
    /// moments) plus the activations autograd keeps for a batch, about 12·d_model + 4·(attention width) + 4·d_ff +
    /// 2·heads·context floats per token per layer. In double, since absurd shapes overflow a long.
    /// </summary>
    public double EstimatedTrainingBytes(int batchSize)
    {
        double perToken = Layers * (12.0 * DModel + 4.0 * AttentionWidth + 4.0 * DFf + 2.0 * Heads * Context) + 4.0 * VocabSize;
        return 16.0 * ParameterCount + 4.0 * batchSize * Context * perToken;
    }

    /// <summary>Throws an <see cref="ArgumentException"/> naming the first invalid option.</summary>
    public void Validate()
    {
        if (Layers < 1) throw Invalid("n_layers", Layers, "must be at least 1");
        if (DModel < 1) throw Invalid("d_model", DModel, "must be at least 1");
        if (Heads < 1) throw Invalid("n_heads", Heads, "must be at least 1");
        if (HeadWidth < 0) throw Invalid("head_dim", HeadWidth, "must not be negative (0: d_model / n_heads)");
        if (HeadWidth == 0 && DModel % Heads != 0) throw Invalid("n_heads", Heads, $"must divide d_model ({DModel}), or set head_dim");
        if (DFf < 1) throw Invalid("d_ff", DFf, "must be at least 1");
        if (EmbeddingRank < 0 || EmbeddingRank >= DModel) throw Invalid("embedding_rank", EmbeddingRank, $"must lie in [0, d_model = {DModel}) (0: not factorised)");
        if (PositionRank < 0 || PositionRank >= DModel) throw Invalid("position_rank", PositionRank, $"must lie in [0, d_model = {DModel}) (0: not factorised)");
        if (PositionRank > 0 && Positions != PositionScheme.Learned) throw Invalid("position_rank", PositionRank, "factorises learned positions; these are " + Positions.ToString().ToLowerInvariant());
        if (TiedQk && TiedKv) throw Invalid("tied_kv", TiedKv, "cannot be set with tied_qk (one of the two ties)");
        if (TiedVo && TiedOq) throw Invalid("tied_oq", TiedOq, "cannot be set with tied_vo (the output is tied to one of them)");
        if (RopeBase <= 1) throw Invalid("rope_base", RopeBase, "must be greater than 1");
        if (NormEpsilon <= 0) throw Invalid("norm_epsilon", NormEpsilon, "must be positive");
    }

    static ArgumentException Invalid(string option, object value, string rule) =>
        new($"model option '{option}' = {value}: {rule}");

    /// <summary>A short shape description, e.g. "1L 1H d7 ff14 tied no-ffn-bias".</summary>
    public string Shape()
    {
        var parts = new List<string> { $"{Layers}L", $"{Heads}H", $"d{DModel}", $"ff{DFf}" };
        if (HeadWidth > 0) parts.Add($"hd{HeadWidth}");
        if (Ffn == FfnKind.SwiGlu) parts.Add("swiglu");
        if (!FfnBias) parts.Add("no-ffn-bias");
        if (TiedEmbeddings) parts.Add("tied-emb");
        if (Positions != PositionScheme.Learned) parts.Add(Positions.ToString().ToLowerInvariant());
        if (Norm == NormKind.RmsNorm) parts.Add("rmsnorm");
        if (!Delimiters) parts.Add("no-delim");
        if (ReversedOperands) parts.Add("reversed");
        if (TiedQk) parts.Add("tied-qk");
        if (TiedKv) parts.Add("tied-kv");
        if (TiedVo) parts.Add("tied-vo");
        if (TiedOq) parts.Add("tied-oq");
        if (QkNorm) parts.Add("qk-norm");
        if (EmbeddingRank > 0) parts.Add($"emb-r{EmbeddingRank}");
        if (PositionRank > 0) parts.Add($"pos-r{PositionRank}");
        return string.Join(' ', parts);
    }
}
