using TorchSharp;
using TorchSharp.Modules;
using static TorchSharp.torch;
using F = TorchSharp.torch.nn.functional;
using ActorSweep.Tasks.Addition;

namespace ActorSweep.GpuNode.Models;

/// <summary>
/// The seed's decoder-only, pre-norm transformer (docs/WORKLOAD.md, "Model"):
///   x = tok[idx] + pos;  per layer: x += Attn(Norm(x)); x += W2·gelu(W1·Norm(x));  logits = Norm(x)·headᵀ
/// (with ffn: swiglu the FFN is W2·(silu(Wg·n) ⊙ Wu·n), n = Norm(x)).
/// Shapes: B batch, T tokens, d width, H heads, hd head width (d/H unless head_dim is set),
/// A = H·hd attention width, F = d_ff, V vocabulary.
/// Every parameter is a view into <see cref="Parameters"/>, one flat buffer.
/// </summary>
public sealed class AdditionTransformer : nn.Module<Tensor, Tensor>
{
    readonly FactoredEmbedding _tok;   // [V, d] token embedding; also the output head when tied
    readonly FactoredEmbedding? _pos;  // [T, d] learned positions
    readonly Tensor? _sinusoid;        // [T, d] fixed sinusoidal positions
    readonly Block[] _blocks;
    readonly Norm _finalNorm;
    readonly Parameter? _head;         // [V, d] separate output head

    public AdditionTransformer(ModelOptions options, long seed) : base(nameof(AdditionTransformer))
    {
        options.Validate();
        Options = options;
        int d = options.DModel, v = options.VocabSize, t = options.Context;
        Parameters = new FlatParameters(options.ParameterCount);
        var p = Parameters;

        _tok = new FactoredEmbedding("tok_emb", v, d, options.EmbeddingRank, p);
        if (options.Positions == PositionScheme.Learned) _pos = new FactoredEmbedding("pos_emb", t, d, options.PositionRank, p);
        if (options.Positions == PositionScheme.Sinusoidal) _sinusoid = Sinusoid(t, d);
        var rotary = options.Positions == PositionScheme.Rope ? new Rotary(t, options.HeadDim, options.RopeBase) : null;
        _blocks = Enumerable.Range(0, options.Layers).Select(i => new Block($"h{i}", options, p, rotary)).ToArray();
        _finalNorm = new Norm("ln_f", options, p);
        if (!options.TiedEmbeddings) _head = p.Take("head", ParameterInit.DenseKernel, v, d);
        p.EnsureFull();

        FlaxInitializer.Apply(p, seed);
        foreach (var slot in p.Slots) register_parameter(slot.Name, slot.Parameter);
    }

    public ModelOptions Options { get; }
    public FlatParameters Parameters { get; }

    /// <summary>Logits at every position: [B, T] → [B, T, V].</summary>
    public override Tensor forward(Tensor idx) => Logits(Hidden(idx));

    /// <summary>
    /// The residual stream after the last layer from position <paramref name="from"/> on:
    /// [B, T] → [B, T − from, d]. Earlier positions still feed the attention's keys and values, but
    /// the last layer computes its queries, residual and FFN only where asked: training scores the
    /// answer alone (12 of 34 positions), and decoding needs only the newest position.
    /// </summary>
    public Tensor Hidden(Tensor idx, long from = 0)
    {
        long b = idx.shape[0], t = idx.shape[1];
        var x = _tok.Table().index_select(0, idx.flatten()).view(b, t, Options.DModel);   // [B, T, d]
        if (_pos is not null) x = x.add(_pos.Table().narrow(0, 0, t), HeldScalar.One);     // + [T, d]
        else if (_sinusoid is not null) x = x.add(_sinusoid.narrow(0, 0, t), HeldScalar.One);
        for (int i = 0; i < _blocks.Length; i++) x = _blocks[i].Forward(x, i == _blocks.Length - 1 ? from : 0);
        return x;                                                                          // [B, T − from, d]
    }

    /// <summary>Final norm and output head: [..., d] → [..., V].</summary>
    public Tensor Logits(Tensor hidden) => F.linear(_finalNorm.Forward(hidden), _head ?? _tok.Table());

    /// <summary>The seed's sinusoid: channel 2i is sin(p·ω_i), 2i+1 is cos(p·ω_i), ω_i = 10000^(−2i/d);
    /// odd d gets ceil(d/2) sine and floor(d/2) cosine channels.</summary>
    static Tensor Sinusoid(int t, int d)
    {
        var pe = new float[t * d];
        for (int pos = 0; pos < t; pos++)
            for (int c = 0; c < d; c++)
            {
                double omega = Math.Exp(-(c - c % 2) * Math.Log(10000.0) / d);
                pe[pos * d + c] = (float)(c % 2 == 0 ? Math.Sin(pos * omega) : Math.Cos(pos * omega));
            }
        return torch.tensor(pe).view(t, d);
    }

    protected override void Dispose(bool disposing)
    {
        if (disposing)
        {
            Parameters.Dispose();
            _sinusoid?.Dispose();
            foreach (var block in _blocks) block.Dispose();
        }
        base.Dispose(disposing);
    }

    /// <summary>One pre-norm layer: causal self-attention then a GELU (or SwiGLU) FFN, each added to the residual.</summary>
    sealed class Block : IDisposable
    {
        readonly ModelOptions _o;
        readonly Norm _norm1, _norm2;
        readonly Parameter _qkv;        // [3A, d] fused q, k, v; [2A, d] (shared qk, v) when tied_qk, (q, shared kv) when tied_kv
        readonly Parameter? _proj;      // [d, A]; none when tied_vo or tied_oq (v's or q's kernel, transposed)
        readonly Parameter _fc;         // [F, d]; [2F, d] fused gate and up for SwiGLU
        readonly Parameter? _fcBias;    // [F] or [2F]
        readonly Parameter _out;        // [d, F]
        readonly Parameter? _outBias;   // [d]
        readonly Norm? _qNorm, _kNorm;  // [hd] each, when qk_norm
        readonly Rotary? _rotary;

        public Block(string name, ModelOptions o, FlatParameters p, Rotary? rotary)
        {
            _o = o;
            _rotary = rotary;
            int d = o.DModel, a = o.AttentionWidth;
            _norm1 = new Norm($"{name}_ln1", o, p);
            _qkv = p.Take($"{name}_attn_qkv", ParameterInit.DenseKernel, (o.TiedQk || o.TiedKv ? 2 : 3) * a, d);
            if (o.QkNorm)
            {
                _qNorm = new Norm($"{name}_q_norm", NormKind.RmsNorm, o.HeadDim, o.NormEpsilon, p);
                if (!o.TiedQk) _kNorm = new Norm($"{name}_k_norm", NormKind.RmsNorm, o.HeadDim, o.NormEpsilon, p);
            }
            if (!o.TiedVo && !o.TiedOq) _proj = p.Take($"{name}_attn_proj", ParameterInit.DenseKernel, d, a);
            _norm2 = new Norm($"{name}_ln2", o, p);
            int fcRows = (o.Ffn == FfnKind.SwiGlu ? 2 : 1) * o.DFf;
            _fc = p.Take($"{name}_ffn_fc", ParameterInit.DenseKernel, fcRows, d);
            if (o.FfnBias) _fcBias = p.Take($"{name}_ffn_fc_bias", ParameterInit.Zeros, fcRows);
            _out = p.Take($"{name}_ffn_out", ParameterInit.DenseKernel, d, o.DFf);
            if (o.FfnBias) _outBias = p.Take($"{name}_ffn_out_bias", ParameterInit.Zeros, d);
        }

        /// <summary>[B, T, d] → [B, T − from, d]: every position's keys and values, queries from <paramref name="from"/> on.</summary>
        public Tensor Forward(Tensor x, long from)
        {
            var attended = Attention(_norm1.Forward(x), from);                        // [B, T − from, d]
            if (from > 0) x = x.narrow(1, from, x.shape[1] - from);
            x = x.add(attended, HeldScalar.One);
            var fc = F.linear(_norm2.Forward(x), _fc, _fcBias);                        // [B, T', F] (SwiGLU: [B, T', 2F])
            var h = _o.Ffn == FfnKind.SwiGlu
                ? SwiGlu(fc)                                                          // [B, T', F]
                : F.gelu(fc, TorchSharp.Modules.GELU.Approximate.tanh);               // Flax's gelu is the tanh form
            return x.add(F.linear(h, _out, _outBias), HeldScalar.One);                // [B, T', d]
        }

        Tensor SwiGlu(Tensor fc)                                                      // [B, T', 2F]: gate, then up
        {
            var halves = fc.split(_o.DFf, dim: -1);
            return F.silu(halves[0]) * halves[1];                                     // [B, T', F]
        }

        Tensor Attention(Tensor a, long from)                                        // [B, T, d]
        {
            long b = a.shape[0], t = a.shape[1], n = t - from;
            int heads = _o.Heads, hd = _o.HeadDim, width = _o.AttentionWidth;
            var qkv = F.linear(a, _qkv).split(width, dim: -1);                       // 3 (or 2) × [B, T, A]
            Tensor q = SplitHeads(qkv[0]);                                           // [B, H, T, hd]
            Tensor k = _o.TiedQk ? q : SplitHeads(qkv[1]);
            Tensor v = SplitHeads(qkv[^1]);                                          // tied_kv: k's projection, before norm and rotation
            if (_qNorm is not null) { q = _qNorm.Forward(q); k = _kNorm is null ? q : _kNorm.Forward(k); } // RMSNorm per head, as in Qwen3
            if (_rotary is not null) { q = _rotary.Apply(q); k = _o.TiedQk ? q : _rotary.Apply(k); }
            // softmax(qkᵀ/√hd)·v, causal. For the last n queries the mask is the causal mask's last n
            // rows (SDPA's is_causal would align the rows to the first keys instead).
            var y = from == 0
                ? F.scaled_dot_product_attention(q, k, v, is_casual: true)              // [B, H, T, hd]
                : F.scaled_dot_product_attention(q.narrow(2, from, n), k, v, CausalRows(from, t)); // [B, H, n, hd]
            y = heads == 1 ? y.reshape(b, n, width) : y.transpose(1, 2).reshape(b, n, width); // [B, n, A]
            if (_proj is not null) return F.linear(y, _proj);                        // [B, n, d]
            long tiedRows = _o.TiedOq ? 0 : _qkv.shape[0] - width;                   // q's rows, or v's (the last)
            return F.linear(y, _qkv.narrow(0, tiedRows, width).t());                  // y·W: the output map is that kernel's transpose

            Tensor SplitHeads(Tensor z) => heads == 1
                ? z.view(b, 1, t, hd)
                : z.view(b, t, heads, hd).transpose(1, 2);
        }

        /// <summary>Rows from..t−1 of the causal mask: query p sees keys 0..p. [t − from, t], true where attended.</summary>
        static Tensor CausalRows(long from, long t) => torch.ones(t, t, dtype: ScalarType.Bool).tril().narrow(0, from, t - from);

        public void Dispose() => _rotary?.Dispose();
    }

    /// <summary>A learned table [N, d], whole or factorised as [N, r]·[r, d] (rank r, fewer parameters).</summary>
    sealed class FactoredEmbedding
    {
        readonly Parameter _table;      // [N, d], or [N, r] when factorised
        readonly Parameter? _up;        // [d, r]: the rank-r codes to width d

        public FactoredEmbedding(string name, int rows, int d, int rank, FlatParameters p)
        {
            if (rank == 0) _table = p.Take(name, ParameterInit.Embedding, rows, d);
            else
            {
                _table = p.Take($"{name}_codes", ParameterInit.Embedding, rows, rank);
                _up = p.Take($"{name}_up", ParameterInit.DenseKernel, d, rank);
            }
        }

        public Tensor Table() => _up is null ? _table : F.linear(_table, _up);   // [N, d]
    }

    /// <summary>LayerNorm (scale and bias) or RMSNorm (scale only) over the last <c>width</c> channels, epsilon 1e-6 as in Flax.</summary>
    sealed class Norm
    {
        readonly NormKind _kind;
        readonly int _width;
        readonly double _epsilon;
        readonly Scalar _heldEpsilon;   // held for RMSNorm's sum (see HeldScalar)
        readonly Parameter _scale;      // [width]
        readonly Parameter? _bias;      // [width]

        /// <summary>One of the model's norms: over d_model, of the configured kind.</summary>
        public Norm(string name, ModelOptions o, FlatParameters p) : this(name, o.Norm, o.DModel, o.NormEpsilon, p) { }

        public Norm(string name, NormKind kind, int width, double epsilon, FlatParameters p)
        {
            (_kind, _width, _epsilon) = (kind, width, epsilon);
            _heldEpsilon = epsilon.ToScalar();
            _scale = p.Take($"{name}_scale", ParameterInit.Ones, width);
            if (kind == NormKind.LayerNorm) _bias = p.Take($"{name}_bias", ParameterInit.Zeros, width);
        }

        public Tensor Forward(Tensor x) => _kind == NormKind.LayerNorm
            ? F.layer_norm(x, [_width], _scale, _bias, _epsilon)
            : x * x.pow(HeldScalar.Two).mean([-1L], keepdim: true).add(_heldEpsilon, HeldScalar.One).rsqrt() * _scale;
    }

    /// <summary>
    /// Rotary positions on q and k: channels (2i, 2i+1) rotate by p·base^(−2i/hd). The seed's
    /// version needs an even head width (its d = 7 RoPE runs crashed); here an odd last channel
    /// passes through unrotated, so those configurations train.
    /// </summary>
    sealed class Rotary : IDisposable
    {
        readonly int _pairs, _headDim;
        readonly Tensor _cos, _sin;     // [T, hd/2]

        public Rotary(int t, int headDim, double ropeBase)
        {
            _headDim = headDim;
            _pairs = headDim / 2;
            var cos = new float[t * _pairs];
            var sin = new float[t * _pairs];
            for (int pos = 0; pos < t; pos++)
                for (int i = 0; i < _pairs; i++)
                {
                    double angle = pos * Math.Pow(ropeBase, -2.0 * i / headDim);
                    cos[pos * _pairs + i] = (float)Math.Cos(angle);
                    sin[pos * _pairs + i] = (float)Math.Sin(angle);
                }
            _cos = torch.tensor(cos).view(t, _pairs);
            _sin = torch.tensor(sin).view(t, _pairs);
        }

        public Tensor Apply(Tensor x)                                                // [B, H, T, hd]
        {
            long b = x.shape[0], h = x.shape[1], t = x.shape[2];
            var pairs = x.narrow(-1, 0, 2 * _pairs).reshape(b, h, t, _pairs, 2);     // [B, H, T, hd/2, 2]
            var x1 = pairs.select(-1, 0);
            var x2 = pairs.select(-1, 1);
            var c = _cos.narrow(0, 0, t);
            var s = _sin.narrow(0, 0, t);
            var rotated = torch.stack([(x1 * c).sub(x2 * s), (x1 * s).add(x2 * c, HeldScalar.One)], -1).view(b, h, t, 2 * _pairs);
            return 2 * _pairs == _headDim ? rotated : torch.cat([rotated, x.narrow(-1, 2 * _pairs, 1)], -1);
        }

        public void Dispose()
        {
            _cos.Dispose();
            _sin.Dispose();
        }
    }
}
