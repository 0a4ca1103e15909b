using ActorSweep.GpuNode.Models;
using ActorSweep.Tasks.Addition;

namespace ActorSweep.Tests.Models;

/// <summary>Every configuration of the seed's sweep has the parameter count the seed records.</summary>
public sealed class ParameterCountTests
{
    public static TheoryData<string> Names() => new(SeedConfigurations.All.Select(c => c.Name));

    [Theory]
    [MemberData(nameof(Names))]
    public void Built_model_has_the_seeds_parameter_count(string name)
    {
        var config = SeedConfigurations.Get(name);
        using var model = new AdditionTransformer(config.Model, seed: 1);
        long counted = model.parameters().Sum(p => p.numel());
        Assert.Equal(config.ReportedParameters, counted);
        Assert.Equal(config.ReportedParameters, config.Model.ParameterCount);
    }

    [Theory]
    [InlineData("pico-7d-ff14-lr02", 777)]
    [InlineData("pico-1L-7d-both", 973)]
    [InlineData("nano-1L-8d-hiLR", 1360)]
    public void Headline_models_have_their_published_sizes(string name, long parameters)
    {
        Assert.Equal(parameters, SeedConfigurations.Get(name).Model.ParameterCount);
    }

    [Fact]
    public void All_53_configurations_of_the_seeds_sweep_are_built_in()
    {
        Assert.Equal(53, SeedConfigurations.All.Count);
        Assert.Equal(53, SeedConfigurations.All.Select(c => c.Name).Distinct().Count());
        Assert.Equal(0.02, SeedConfigurations.Get("pico-7d-ff14-lr02").LearningRate);
        Assert.Equal("99.69%", SeedConfigurations.Get("pico-7d-ff14-lr02").ReportedAccuracy);
    }

    [Fact]
    public void The_777_breakdown_matches_the_seeds_arithmetic()
    {
        // 777 = 98 (tokens) + 245 (positions) + 14 + 14 (two LayerNorms) + 196 (attention) + 196 (FFN) + 14 (final norm)
        using var model = new AdditionTransformer(SeedConfigurations.Get("pico-7d-ff14-lr02").Model, seed: 1);
        var sizes = model.Parameters.Slots.ToDictionary(s => s.Name, s => s.Size);
        Assert.Equal(98, sizes["tok_emb"]);
        Assert.Equal(245, sizes["pos_emb"]);
        Assert.Equal(147 + 49, sizes["h0_attn_qkv"] + sizes["h0_attn_proj"]);
        Assert.Equal(196, sizes["h0_ffn_fc"] + sizes["h0_ffn_out"]);
        Assert.Equal(14, sizes["ln_f_scale"] + sizes["ln_f_bias"]);
        Assert.DoesNotContain("head", sizes.Keys);
    }

    /// <summary>The options for smaller adders: each is counted exactly, by formula and by the built model.</summary>
    [Theory]
    [InlineData(false, 0, 0, PositionScheme.Learned, 777)]
    [InlineData(true, 0, 0, PositionScheme.Learned, 777 - 49)]                      // tied v/o: d² fewer
    [InlineData(false, 3, 0, PositionScheme.Learned, 777 - 98 + 14 * 3 + 3 * 7)]    // tokens [14, 3]·[3, 7]
    [InlineData(false, 0, 2, PositionScheme.Learned, 777 - 245 + 35 * 2 + 2 * 7)]   // positions [35, 2]·[2, 7]
    [InlineData(true, 2, 0, PositionScheme.Rope, 777 - 245 - 49 - 98 + 14 * 2 + 2 * 7)]
    public void Smaller_model_options_are_counted_exactly(bool tiedVo, int embeddingRank, int positionRank, PositionScheme positions, long expected)
    {
        var options = SeedConfigurations.Get("pico-7d-ff14-lr02").Model with
        {
            TiedVo = tiedVo, EmbeddingRank = embeddingRank, PositionRank = positionRank, Positions = positions,
        };
        using var model = new AdditionTransformer(options, seed: 1);
        Assert.Equal(expected, options.ParameterCount);
        Assert.Equal(expected, model.parameters().Sum(p => p.numel()));
        var names = model.Parameters.Slots.Select(s => s.Name).ToList();
        Assert.Equal(!tiedVo, names.Contains("h0_attn_proj"));
        Assert.Equal(embeddingRank > 0, names.Contains("tok_emb_codes") && names.Contains("tok_emb_up"));
    }

    /// <summary>head_dim sets the attention's width apart from the model's: each d² of q, k, v and the output becomes d·H·hd.</summary>
    [Theory]
    [InlineData(3, 1, 4, false, false, 42 + 18 + 4 * 3 * 4 + 36)]          // 144: tokens, three LayerNorms, q k v o at 3 × 4, FFN 2·3·6
    [InlineData(3, 1, 4, true, true, 42 + 18 + 2 * 3 * 4 + 36)]            // 120: shared q = k, output tied to v
    [InlineData(7, 2, 3, false, false, 98 + 42 + 4 * 7 * 6 + 84)]          // 392: two 3-wide heads in a 7-wide model
    [InlineData(4, 1, 0, false, true, 56 + 24 + 3 * 4 * 4 + 48)]           // 176: unset, the head is d_model wide
    public void Head_dim_sets_the_attention_width(int d, int heads, int headDim, bool tiedQk, bool tiedVo, long expected)
    {
        var options = new ModelOptions
        {
            DModel = d, Heads = heads, HeadWidth = headDim, DFf = 6, FfnBias = false, TiedEmbeddings = true,
            Positions = PositionScheme.Rope, TiedQk = tiedQk, TiedVo = tiedVo,
        };
        using var model = new AdditionTransformer(options, seed: 1);
        Assert.Equal(expected, options.ParameterCount);
        Assert.Equal(expected, model.parameters().Sum(p => p.numel()));
        int width = heads * (headDim > 0 ? headDim : d / heads);
        Assert.Equal(width, options.AttentionWidth);
        Assert.Equal(new long[] { (tiedQk ? 2 : 3) * width, d }, model.Parameters.Slots.Single(s => s.Name == "h0_attn_qkv").Parameter.shape);
    }

    /// <summary>SwiGLU has three d·d_ff maps (biases 2·d_ff + d); tied k/v shares one projection as tied q/k does.</summary>
    [Theory]
    [InlineData(FfnKind.SwiGlu, false, true, true, 42 + 6 + 2 * 3 * 4 + 3 * 3 * 2 + 3)]          // 93: q and kv at 3 × 4, output tied to kv
    [InlineData(FfnKind.SwiGlu, true, true, true, 42 + 6 + 2 * 3 * 4 + 3 * 3 * 2 + 2 * 2 + 3 + 3)] // 100: with the FFN's biases
    [InlineData(FfnKind.SwiGlu, false, false, false, 42 + 6 + 4 * 3 * 4 + 3 * 3 * 2 + 3)]        // 117
    [InlineData(FfnKind.Gelu, false, true, false, 42 + 6 + 3 * 3 * 4 + 2 * 3 * 2 + 3)]           // 99: tied k/v with the GELU FFN
    [InlineData(FfnKind.SwiGlu, false, true, false, 42 + 6 + 2 * 3 * 4 + 3 * 3 * 2 + 3, true)]    // 93: output tied to q instead
    [InlineData(FfnKind.SwiGlu, false, true, false, 42 + 6 + 2 * 3 * 4 + 4 + 4 + 3 * 3 * 2 + 3, true, true)]  // 101: q and k norms, 4 each
    public void SwiGlu_and_tied_kv_are_counted_exactly(FfnKind ffn, bool ffnBias, bool tiedKv, bool tiedVo, long expected, bool tiedOq = false, bool qkNorm = false)
    {
        var options = new ModelOptions
        {
            DModel = 3, HeadWidth = 4, DFf = 2, Ffn = ffn, FfnBias = ffnBias, TiedEmbeddings = true, Norm = NormKind.RmsNorm,
            Positions = PositionScheme.Rope, TiedKv = tiedKv, TiedVo = tiedVo, TiedOq = tiedOq, QkNorm = qkNorm,
        };
        using var model = new AdditionTransformer(options, seed: 1);
        Assert.Equal(expected, options.ParameterCount);
        Assert.Equal(expected, model.parameters().Sum(p => p.numel()));
        Assert.Equal(!tiedVo && !tiedOq, model.Parameters.Slots.Any(s => s.Name == "h0_attn_proj"));
        Assert.Equal(qkNorm, model.Parameters.Slots.Any(s => s.Name == "h0_k_norm_scale"));
    }

    [Fact]
    public void Head_dim_must_not_be_negative_and_frees_the_head_count_from_the_width()
    {
        Assert.Contains("'head_dim'", Assert.Throws<ArgumentException>(new ModelOptions { HeadWidth = -1 }.Validate).Message);
        var e = Assert.Throws<ArgumentException>(new ModelOptions { DModel = 7, Heads = 2 }.Validate);
        Assert.Contains("or set head_dim", e.Message);
        new ModelOptions { DModel = 7, Heads = 2, HeadWidth = 3 }.Validate();
    }

    [Theory]
    [InlineData(7, 0, "embedding_rank")]
    [InlineData(0, 7, "position_rank")]
    [InlineData(-1, 0, "embedding_rank")]
    public void Ranks_must_be_below_the_width(int embeddingRank, int positionRank, string option)
    {
        var options = new ModelOptions { DModel = 7, EmbeddingRank = embeddingRank, PositionRank = positionRank };
        Assert.Contains($"'{option}'", Assert.Throws<ArgumentException>(options.Validate).Message);
        var rope = new ModelOptions { DModel = 8, Positions = PositionScheme.Rope, PositionRank = 2 };
        Assert.Contains("factorises learned positions", Assert.Throws<ArgumentException>(rope.Validate).Message);
    }

    [Fact]
    public void Unknown_model_names_get_an_error_naming_them()
    {
        var e = Assert.Throws<ArgumentException>(() => SeedConfigurations.Get("pico-9d"));
        Assert.Contains("unknown model 'pico-9d'", e.Message);
    }

    [Theory]
    [InlineData(0, 1, "n_layers")]
    [InlineData(1, 2, "n_heads")]
    public void Invalid_options_are_rejected_by_name(int layers, int heads, string option)
    {
        var options = new ModelOptions { Layers = layers, Heads = heads, DModel = 7 };
        var e = Assert.Throws<ArgumentException>(options.Validate);
        Assert.Contains($"'{option}'", e.Message);
    }
}
