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
