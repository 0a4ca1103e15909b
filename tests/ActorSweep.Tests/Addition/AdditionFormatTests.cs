using ActorSweep.Tasks.Addition;

namespace ActorSweep.Tests.Addition;

public sealed class AdditionFormatTests
{
    static readonly AdditionFormat D = AdditionFormat.WithDelimiters;
    static readonly AdditionFormat N = AdditionFormat.WithoutDelimiters;

    [Fact]
    public void Preprocess_and_answer_match_the_seeds_example()
    {
        Assert.Equal("0000000005+0000000007=", D.Preprocess(5, 7));
        Assert.Equal("21000000000", AdditionFormat.AnswerDigits(5, 7));
        Assert.Equal("00000000050000000007", N.Preprocess(5, 7));
        Assert.Equal("89999999991", AdditionFormat.AnswerDigits(9_999_999_999, 9_999_999_999)); // 19999999998 reversed
    }

    [Fact]
    public void Reversed_operands_put_each_operand_least_significant_digit_first_and_leave_the_answer_as_it_was()
    {
        var r = AdditionFormat.For(delimiters: true, reversedOperands: true);
        Assert.Equal("5000000000+7000000000=", r.Preprocess(5, 7));
        Assert.Equal("4321000000+0000000009=", r.Preprocess(1234, 9_000_000_000));
        var input = new long[r.FedLength];
        var target = new long[r.AnswerLength];
        r.WriteExample(1234, 9_000_000_000, input, target);
        Assert.Equal("43210000090", AdditionFormat.AnswerDigits(1234, 9_000_000_000));
        Assert.Equal(r.Encode("4321000000+0000000009=43210000090"), input.Select(t => (int)t));
        Assert.Equal(r.Encode("43210000090$"), target.Select(t => (int)t));
        Assert.Equal(r, new ModelOptions { ReversedOperands = true }.Format);
        Assert.Same(D, new ModelOptions().Format);
    }

    [Fact]
    public void Vocabulary_and_context_are_the_seeds()
    {
        Assert.Equal((14, 35, 22, 12, 12), (D.VocabSize, D.Context, D.PromptLength, D.AnswerLength, D.Pad));
        Assert.Equal((10, 31, 20, 11, 0), (N.VocabSize, N.Context, N.PromptLength, N.AnswerLength, N.Pad));
        Assert.Equal([0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13], D.Encode("0123456789+=_$"));
    }

    [Theory]
    [InlineData("0000000005+0000000007=21000000000$")]
    [InlineData("9999999999+9999999999=89999999991$__")]
    [InlineData("0123456789+=_$")]
    public void Tokenization_round_trips(string text)
    {
        int[] ids = D.Encode(text);
        Assert.Equal(text, D.Decode(ids));
        Assert.Equal(ids, D.Encode(D.Decode(ids)));
    }

    [Fact]
    public void Tokenization_round_trips_every_token_of_both_vocabularies()
    {
        int[] all = Enumerable.Range(0, 14).ToArray();
        Assert.Equal(all, D.Encode(D.Decode(all)));
        int[] digits = Enumerable.Range(0, 10).ToArray();
        Assert.Equal(digits, N.Encode(N.Decode(digits)));
    }

    [Fact]
    public void Tokens_outside_a_vocabulary_are_rejected()
    {
        Assert.Throws<FormatException>(() => N.Encode("1+2"));
        Assert.Throws<FormatException>(() => D.Encode("12x"));
        Assert.Throws<ArgumentOutOfRangeException>(() => N.Decode([10]));
        Assert.Throws<ArgumentOutOfRangeException>(() => D.Preprocess(-1, 2));
        Assert.Throws<ArgumentOutOfRangeException>(() => D.Preprocess(10_000_000_000, 2));
    }

    [Fact]
    public void Postprocess_keeps_digits_reverses_and_parses()
    {
        Assert.Equal(12, D.Postprocess(D.Encode("21000000000$")));
        Assert.Equal(12, D.Postprocess(D.Encode("2100000000$0"))); // non-digits are dropped wherever they are
        Assert.Null(D.Postprocess(D.Encode("$$$$")));
        Assert.Equal(19_999_999_998, N.Postprocess(N.Encode("89999999991")));
    }

    [Fact]
    public void A_training_example_is_the_prompt_and_sum_with_targets_shifted_by_one()
    {
        var input = new long[D.FedLength];
        var target = new long[D.AnswerLength];
        D.WriteExample(5, 7, input, target);
        Assert.Equal(33, D.FedLength);
        Assert.Equal("0000000005+0000000007=21000000000", D.Decode(input.Select(x => (int)x).ToArray()));
        Assert.Equal("21000000000$", D.Decode(target.Select(x => (int)x).ToArray()));
        // Next-token alignment: the target of fed position FirstScored + j is the token fed at FirstScored + j + 1.
        for (int j = 0; j + 1 < D.AnswerLength; j++) Assert.Equal(input[D.FirstScoredPosition + j + 1], target[j]);
    }

    [Fact]
    public void Without_delimiters_the_example_has_no_eos_and_feeds_thirty_tokens()
    {
        var input = new long[N.FedLength];
        var target = new long[N.AnswerLength];
        N.WriteExample(123, 4567, input, target);
        Assert.Equal(30, N.FedLength);
        Assert.Equal("00000001230000004567" + "0964000000", N.Decode(input.Select(x => (int)x).ToArray()));
        Assert.Equal("09640000000", N.Decode(target.Select(x => (int)x).ToArray()));
    }
}
