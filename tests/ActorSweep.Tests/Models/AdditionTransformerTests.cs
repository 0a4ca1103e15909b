using ActorSweep.GpuNode.Models;
using ActorSweep.Tasks.Addition;
using TorchSharp;
using static TorchSharp.torch;

namespace ActorSweep.Tests.Models;

public sealed class AdditionTransformerTests
{
    static readonly ModelOptions Pico = SeedConfigurations.Get("pico-7d-ff14-lr02").Model;

    [Fact]
    public void Logits_have_batch_by_token_by_vocabulary_shape()
    {
        using var model = new AdditionTransformer(Pico, seed: 1);
        using var scope = NewDisposeScope();
        var logits = model.forward(torch.zeros(3, 33, dtype: ScalarType.Int64));
        Assert.Equal([3L, 33, 14], logits.shape);
    }

    [Theory]
    [InlineData(PositionScheme.Learned, NormKind.LayerNorm, true, false, 1)]
    [InlineData(PositionScheme.Sinusoidal, NormKind.RmsNorm, false, true, 1)]
    [InlineData(PositionScheme.Rope, NormKind.LayerNorm, true, false, 1)]
    [InlineData(PositionScheme.Rope, NormKind.RmsNorm, false, true, 1)]
    [InlineData(PositionScheme.Rope, NormKind.LayerNorm, true, false, 2)]
    [InlineData(PositionScheme.Learned, NormKind.LayerNorm, true, true, 1, true, 3, 2)]
    [InlineData(PositionScheme.Rope, NormKind.RmsNorm, true, false, 2, true, 2)]
    public void Attention_is_causal_for_every_position_scheme(PositionScheme positions, NormKind norm, bool delimiters, bool tiedQk, int heads,
                                                             bool tiedVo = false, int embeddingRank = 0, int positionRank = 0)
    {
        var options = new ModelOptions
        {
            DModel = heads == 2 ? 8 : 7, Heads = heads, DFf = 14, Positions = positions, Norm = norm, Delimiters = delimiters, TiedQk = tiedQk,
            TiedVo = tiedVo, EmbeddingRank = embeddingRank, PositionRank = positionRank,
        };
        using var model = new AdditionTransformer(options, seed: 3);
        using var scope = NewDisposeScope();
        AssertCausal(model, torch.randint(0, 10, [2, 20], dtype: ScalarType.Int64, generator: new Generator(5)));
    }

    /// <summary>Changing the token at position 12 leaves the logits before it as they were and changes those from it on.</summary>
    static void AssertCausal(AdditionTransformer model, Tensor tokens)
    {
        long t = tokens.shape[1];
        var changed = tokens.clone();
        changed[TensorIndex.Colon, 12] = (tokens[TensorIndex.Colon, 12] + 1) % 10;
        var before = model.forward(tokens);
        var after = model.forward(changed);
        Assert.Equal([tokens.shape[0], t, model.Options.VocabSize], before.shape);
        Assert.Equal(Values(before.narrow(1, 0, 12)), Values(after.narrow(1, 0, 12)));
        Assert.False(before.narrow(1, 12, t - 12).allclose(after.narrow(1, 12, t - 12)));
    }

    /// <summary>The last layer computed from <paramref name="from"/> on gives what the full pass gives there.</summary>
    static void AssertShortcutMatches(AdditionTransformer model, Tensor tokens, int from)
    {
        var full = model.Hidden(tokens).narrow(1, from, tokens.shape[1] - from);
        var part = model.Hidden(tokens, from);
        AssertClose(full, part);
    }

    /// <summary>The trainer's shortcut: the last layer computed from a position on gives what the full pass gives there.</summary>
    [Theory]
    [InlineData(PositionScheme.Learned, 1, 1, false, 21)]
    [InlineData(PositionScheme.Rope, 2, 2, true, 21)]
    [InlineData(PositionScheme.Sinusoidal, 1, 2, false, 33)]
    public void Hidden_from_a_position_equals_the_full_pass_there(PositionScheme positions, int heads, int layers, bool tiedQk, int from)
    {
        var options = new ModelOptions { DModel = 8, Heads = heads, Layers = layers, DFf = 16, Positions = positions, TiedQk = tiedQk };
        using var model = new AdditionTransformer(options, seed: 4);
        using var scope = NewDisposeScope();
        AssertShortcutMatches(model, torch.randint(0, 14, [5, 34], dtype: ScalarType.Int64, generator: new Generator(2)), from);
    }

    /// <summary>A 3-wide model with one 4-wide rotary head (head_dim): causal, and the trainer's shortcut still matches the full pass.</summary>
    [Theory]
    [InlineData(false, false)]
    [InlineData(true, true)]
    [InlineData(false, true, true, FfnKind.SwiGlu)]
    [InlineData(false, false, true, FfnKind.SwiGlu, true)]
    [InlineData(false, false, true, FfnKind.SwiGlu, true, true)]
    [InlineData(true, true, false, FfnKind.Gelu, false, true)]
    public void A_head_wider_than_the_model_is_causal_and_matches_the_shortcut(bool tiedQk, bool tiedVo, bool tiedKv = false, FfnKind ffn = FfnKind.Gelu,
                                                                               bool tiedOq = false, bool qkNorm = false)
    {
        var options = new ModelOptions
        {
            DModel = 3, HeadWidth = 4, DFf = 6, Positions = PositionScheme.Rope, RopeBase = 3, TiedEmbeddings = true,
            TiedQk = tiedQk, TiedVo = tiedVo, TiedKv = tiedKv, TiedOq = tiedOq, QkNorm = qkNorm, Ffn = ffn, ReversedOperands = true,
        };
        using var model = new AdditionTransformer(options, seed: 6);
        using var scope = NewDisposeScope();
        var tokens = torch.randint(0, 10, [4, 34], dtype: ScalarType.Int64, generator: new Generator(8));
        AssertCausal(model, tokens);
        AssertShortcutMatches(model, tokens, 21);
    }

    /// <summary>tied_kv is the untied model whose k and v projections are one and the same matrix.</summary>
    [Fact]
    public void Tied_kv_equals_an_untied_model_whose_keys_are_its_values()
    {
        var tied = new ModelOptions { DModel = 3, HeadWidth = 4, DFf = 4, Positions = PositionScheme.Rope, RopeBase = 3, Norm = NormKind.RmsNorm, TiedKv = true };
        AssertEqualsUntied(tied, tied with { TiedKv = false }, (name, slots) => name == "h0_attn_qkv"
            ? torch.cat([slots[name], slots[name].narrow(0, 4, 4)], 0) // q, k, v = q, kv, kv
            : slots[name]);
        Assert.Contains("tied_qk", Assert.Throws<ArgumentException>((tied with { TiedQk = true }).Validate).Message);
    }

    /// <summary>tied_oq is the untied model whose output projection is q's kernel transposed.</summary>
    [Fact]
    public void Tied_oq_equals_an_untied_model_whose_output_is_q_transposed()
    {
        var tied = new ModelOptions { DModel = 3, HeadWidth = 4, DFf = 4, Positions = PositionScheme.Rope, RopeBase = 3, Norm = NormKind.RmsNorm, TiedKv = true, TiedOq = true };
        AssertEqualsUntied(tied, tied with { TiedOq = false }, (name, slots) => name == "h0_attn_proj" ? slots["h0_attn_qkv"].narrow(0, 0, 4).t() : slots[name]);
        Assert.Contains("tied_vo", Assert.Throws<ArgumentException>((tied with { TiedVo = true }).Validate).Message);
    }

    /// <summary>
    /// The tied model gives the logits of the untied one whose every parameter <paramref name="untiedValue"/>
    /// builds from the tied model's (by name), up to rounding: the fused matmuls differ in shape.
    /// </summary>
    static void AssertEqualsUntied(ModelOptions tied, ModelOptions untiedOptions, Func<string, Dictionary<string, Tensor>, Tensor> untiedValue)
    {
        using var model = new AdditionTransformer(tied, seed: 7);
        using var untied = new AdditionTransformer(untiedOptions, seed: 8);
        using var scope = NewDisposeScope();
        var slots = model.Parameters.Slots.ToDictionary(s => s.Name, s => (Tensor)s.Parameter);
        using (torch.no_grad())
            foreach (var slot in untied.Parameters.Slots)
                slot.Parameter.copy_(untiedValue(slot.Name, slots));
        var tokens = torch.randint(0, 14, [3, 34], dtype: ScalarType.Int64, generator: new Generator(9));
        AssertClose(untied.forward(tokens), model.forward(tokens));
    }

    static void AssertClose(Tensor expected, Tensor actual)
    {
        Assert.Equal(expected.shape, actual.shape);
        Assert.True(expected.allclose(actual, rtol: 1e-5, atol: 1e-6), $"max difference {(expected - actual).abs().max().item<float>()}");
    }

    /// <summary>qk_norm normalises each head's queries and keys: scaling their kernels changes nothing, and without it, it does.</summary>
    [Theory]
    [InlineData(true)]
    [InlineData(false)]
    public void Qk_norm_makes_attention_blind_to_the_scale_of_queries_and_keys(bool qkNorm)
    {
        var options = new ModelOptions { DModel = 3, HeadWidth = 4, DFf = 4, Positions = PositionScheme.Rope, RopeBase = 3, Norm = NormKind.RmsNorm, QkNorm = qkNorm };
        using var model = new AdditionTransformer(options, seed: 12);
        using var scope = NewDisposeScope();
        var tokens = torch.randint(0, 14, [3, 34], dtype: ScalarType.Int64, generator: new Generator(13));
        var before = model.forward(tokens);
        var qkv = model.Parameters.Slots.Single(s => s.Name == "h0_attn_qkv").Parameter;
        using (torch.no_grad()) qkv.narrow(0, 0, 8).mul_(5); // q and k rows; v's stay
        var after = model.forward(tokens);
        Assert.Equal(qkNorm, before.allclose(after, rtol: 1e-4, atol: 1e-5));
    }

    /// <summary>With the attention's output zeroed, one SwiGLU layer adds W2·(silu(Wg·n) ⊙ Wu·n) to the embedding, n its RMSNorm.</summary>
    [Fact]
    public void SwiGlu_adds_the_gated_product_to_the_residual()
    {
        var options = new ModelOptions { DModel = 3, HeadWidth = 4, DFf = 2, Ffn = FfnKind.SwiGlu, Positions = PositionScheme.Rope, Norm = NormKind.RmsNorm };
        using var model = new AdditionTransformer(options, seed: 10);
        using var scope = NewDisposeScope();
        var p = model.Parameters.Slots.ToDictionary(s => s.Name, s => s.Parameter);
        Assert.Equal([4L, 3], p["h0_ffn_fc"].shape); // gate and up, fused
        using (torch.no_grad())
        {
            p["h0_attn_proj"].zero_();
            p["h0_ln2_scale"].copy_(torch.tensor(new[] { 0.5f, 1.5f, -1f }));
            p["h0_ffn_fc_bias"].copy_(torch.tensor(new[] { 0.1f, -0.2f, 0.3f, 0.05f }));
        }
        var tokens = torch.randint(0, 14, [2, 34], dtype: ScalarType.Int64, generator: new Generator(11));
        var x = p["tok_emb"].index_select(0, tokens.flatten()).view(2, 34, 3);
        var n = x * (x * x).mean([-1L], keepdim: true).add(1e-6).rsqrt() * p["h0_ln2_scale"];
        var fc = torch.nn.functional.linear(n, p["h0_ffn_fc"], p["h0_ffn_fc_bias"]);
        var gated = torch.nn.functional.silu(fc.narrow(-1, 0, 2)) * fc.narrow(-1, 2, 2);
        var expected = x + torch.nn.functional.linear(gated, p["h0_ffn_out"], p["h0_ffn_out_bias"]);
        AssertClose(expected, model.Hidden(tokens));
    }

    [Fact]
    public void Initialisation_follows_flax_defaults_and_the_runs_seed()
    {
        var wide = new ModelOptions { DModel = 64, DFf = 256, Heads = 2 };
        using var model = new AdditionTransformer(wide, seed: 11);
        var slots = model.Parameters.Slots.ToDictionary(s => s.Name, s => s.Parameter);
        double EmbeddingStd(string name) => slots[name].std().item<float>();
        // Embeddings: normal with std 1/sqrt(d) = 0.125; dense kernels: std 1/sqrt(fan_in), truncated at 2 sigma.
        Assert.InRange(EmbeddingStd("pos_emb"), 0.11, 0.14);
        Assert.InRange(slots["h0_ffn_fc"].std().item<float>(), 0.115, 0.135);
        Assert.InRange(slots["h0_ffn_out"].std().item<float>(), 0.0575, 0.0675);
        Assert.True(slots["h0_ffn_out"].abs().max().item<float>() <= 2 / Math.Sqrt(256) / 0.8796 + 1e-6);
        Assert.Equal(1f, slots["ln_f_scale"].mean().item<float>());
        Assert.Equal(0f, slots["h0_ffn_fc_bias"].abs().sum().item<float>());

        using var same = new AdditionTransformer(wide, seed: 11);
        using var other = new AdditionTransformer(wide, seed: 12);
        Assert.Equal(Values(model.Parameters.Values), Values(same.Parameters.Values));
        Assert.NotEqual(Values(model.Parameters.Values), Values(other.Parameters.Values));
    }

    static float[] Values(Tensor t) => t.contiguous().data<float>().ToArray();

    [Fact]
    public void Parameters_are_views_of_one_flat_buffer()
    {
        using var model = new AdditionTransformer(Pico, seed: 1);
        using (torch.no_grad()) model.Parameters.Values.fill_(0.5);
        Assert.All(model.parameters(), p => Assert.Equal(0.5f, p.mean().item<float>()));
    }

    [Fact]
    public void Backward_accumulates_into_the_flat_gradient_buffer()
    {
        using var model = new AdditionTransformer(Pico, seed: 1);
        model.Parameters.ZeroGradients();
        using (var scope = NewDisposeScope())
            model.forward(torch.ones(2, 10, dtype: ScalarType.Int64)).sum().backward();
        Assert.True(model.Parameters.Gradients.abs().sum().item<float>() > 0);
        Assert.All(model.Parameters.Slots, s => Assert.True(ReferenceEquals(s.Parameter.grad, null) == false));
        model.Parameters.ZeroGradients();
        Assert.Equal(0f, model.Parameters.Gradients.abs().sum().item<float>());
    }
}
