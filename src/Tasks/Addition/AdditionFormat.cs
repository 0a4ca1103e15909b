using System.Text;

namespace ActorSweep.Tasks.Addition;

/// <summary>
/// The seed's token format for A + B (docs/WORKLOAD.md, "Data format").
/// With delimiters (vocabulary 14): prompt "AAAAAAAAAA+BBBBBBBBBB=" (22 tokens), answer the sum's
/// 11 digits least significant first, then EOS; context 35, PAD 12.
/// Without delimiters (vocabulary 10): prompt "AAAAAAAAAABBBBBBBBBB" (20 tokens), answer the 11
/// reversed digits and no EOS; context 31, PAD 0.
/// With reversed operands (not the seed's), each operand is written least significant digit
/// first too, so digit k of A, of B and of the sum sit at fixed distances from each other.
/// </summary>
public sealed class AdditionFormat
{
    public const int OperandDigits = 10;
    public const int SumDigits = 11;
    public const long MaxOperand = 9_999_999_999;
    public const int Plus = 10, EqualsSign = 11, EosToken = 13;

    public static AdditionFormat WithDelimiters { get; } = new(delimiters: true, reversedOperands: false);
    public static AdditionFormat WithoutDelimiters { get; } = new(delimiters: false, reversedOperands: false);
    static readonly AdditionFormat ReversedWithDelimiters = new(delimiters: true, reversedOperands: true);
    static readonly AdditionFormat ReversedWithoutDelimiters = new(delimiters: false, reversedOperands: true);

    public static AdditionFormat For(bool delimiters, bool reversedOperands = false) => (delimiters, reversedOperands) switch
    {
        (true, false) => WithDelimiters,
        (false, false) => WithoutDelimiters,
        (true, true) => ReversedWithDelimiters,
        (false, true) => ReversedWithoutDelimiters,
    };

    AdditionFormat(bool delimiters, bool reversedOperands)
    {
        Delimiters = delimiters;
        ReversedOperands = reversedOperands;
    }

    public bool Delimiters { get; }
    /// <summary>Operands written least significant digit first.</summary>
    public bool ReversedOperands { get; }
    public int VocabSize => Delimiters ? 14 : 10;
    public int Context => Delimiters ? 35 : 31;
    public int Pad => Delimiters ? 12 : 0;
    public int PromptLength => Delimiters ? 2 * OperandDigits + 2 : 2 * OperandDigits;
    /// <summary>Tokens decoded after the prompt: the sum digits, plus EOS with delimiters.</summary>
    public int AnswerLength => Delimiters ? SumDigits + 1 : SumDigits;
    /// <summary>The first position whose next-token prediction is scored (the last prompt token).</summary>
    public int FirstScoredPosition => PromptLength - 1;
    /// <summary>
    /// Tokens a training example feeds the model: up to the last scored position (33 with
    /// delimiters, 30 without). The seed pads to the full context, but with causal attention the
    /// positions after the last scored one change neither the loss nor its gradients.
    /// </summary>
    public int FedLength => FirstScoredPosition + AnswerLength;

    /// <summary>preprocess(a, b): the prompt text, e.g. "0000000005+0000000007=".</summary>
    public string Preprocess(long a, long b)
    {
        CheckOperand(a, nameof(a));
        CheckOperand(b, nameof(b));
        string sa = a.ToString().PadLeft(OperandDigits, '0'), sb = b.ToString().PadLeft(OperandDigits, '0');
        if (ReversedOperands) (sa, sb) = (new string(sa.Reverse().ToArray()), new string(sb.Reverse().ToArray()));
        return Delimiters ? $"{sa}+{sb}=" : sa + sb;
    }

    /// <summary>The answer text: the sum zero-filled to 11 digits and reversed, e.g. "21000000000".</summary>
    public static string AnswerDigits(long a, long b)
    {
        var digits = (a + b).ToString().PadLeft(SumDigits, '0').ToCharArray();
        Array.Reverse(digits);
        return new string(digits);
    }

    /// <summary>
    /// postprocess: keeps the digit tokens of a decoded answer, reverses them and parses the
    /// number, as the seed does. Null when no digit was produced.
    /// </summary>
    public long? Postprocess(ReadOnlySpan<int> answer)
    {
        Span<char> digits = stackalloc char[answer.Length];
        int n = 0;
        foreach (int t in answer)
            if (t is >= 0 and <= 9) digits[n++] = (char)('0' + t);
        if (n == 0) return null;
        digits[..n].Reverse();
        return long.Parse(digits[..n]);
    }

    /// <summary>Token ids of a text over this vocabulary: digits, '+', '=', '_' (PAD), '$' (EOS).</summary>
    public int[] Encode(string text)
    {
        var ids = new int[text.Length];
        for (int i = 0; i < text.Length; i++)
            ids[i] = text[i] switch
            {
                >= '0' and <= '9' => text[i] - '0',
                '+' when Delimiters => Plus,
                '=' when Delimiters => EqualsSign,
                '_' when Delimiters => Pad,
                '$' when Delimiters => EosToken,
                var c => throw new FormatException($"'{c}' is not a token of the {VocabSize}-token vocabulary"),
            };
        return ids;
    }

    public string Decode(ReadOnlySpan<int> ids)
    {
        var sb = new StringBuilder(ids.Length);
        foreach (int id in ids)
            sb.Append(id switch
            {
                >= 0 and <= 9 => (char)('0' + id),
                Plus when Delimiters => '+',
                EqualsSign when Delimiters => '=',
                12 when Delimiters => '_',
                EosToken when Delimiters => '$',
                _ => throw new ArgumentOutOfRangeException(nameof(ids), id, $"not a token id of the {VocabSize}-token vocabulary"),
            });
        return sb.ToString();
    }

    /// <summary>
    /// Writes one training example: <paramref name="input"/> gets the prompt and the sum digits
    /// (<see cref="FedLength"/> tokens); <paramref name="target"/> gets the
    /// <see cref="AnswerLength"/> next-token targets of the scored positions (the sum digits
    /// least significant first, then EOS with delimiters).
    /// </summary>
    public void WriteExample(long a, long b, Span<long> input, Span<long> target)
    {
        WritePrompt(a, b, input);
        long sum = a + b;
        for (int i = 0; i < SumDigits; i++, sum /= 10)
        {
            if (PromptLength + i < FedLength) input[PromptLength + i] = sum % 10;
            target[i] = sum % 10;
        }
        if (Delimiters) target[SumDigits] = EosToken;
    }

    /// <summary>Writes the prompt tokens of a + b into <paramref name="prompt"/>.</summary>
    public void WritePrompt(long a, long b, Span<long> prompt)
    {
        int p = WriteDigits(a, OperandDigits, prompt, 0);
        if (Delimiters) prompt[p++] = Plus;
        p = WriteDigits(b, OperandDigits, prompt, p);
        if (Delimiters) prompt[p] = EqualsSign;
    }

    int WriteDigits(long value, int width, Span<long> dest, int at)
    {
        for (int i = 0; i < width; i++, value /= 10) dest[at + (ReversedOperands ? i : width - 1 - i)] = value % 10;
        return at + width;
    }

    static void CheckOperand(long x, string name)
    {
        if (x is < 0 or > MaxOperand)
            throw new ArgumentOutOfRangeException(name, x, $"operands must lie in [0, {MaxOperand}]");
    }
}
