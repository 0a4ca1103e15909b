using ActorSweep.Tasks.Addition;
using ActorSweep.GpuNode.Models;
using TorchSharp;

namespace ActorSweep.GpuNode.Training;

/// <summary>One pair the model got wrong.</summary>
public sealed record FailureCase(long A, long B, long Expected, long? Predicted, string Answer)
{
    /// <summary>As reports, results.json and `eval --json` carry it.</summary>
    public Messages.Results.FailureReport ToReport() => new(A, B, Expected, Predicted, Answer);
}

/// <summary>Exact match over whole sums, accuracy per sum digit (index 0 = ones), and failures.</summary>
public sealed record EvaluationResult(int Count, double ExactMatch, double[] PerDigitAccuracy, IReadOnlyList<FailureCase> Failures)
{
    public int Correct => (int)Math.Round(ExactMatch * Count);
}

/// <summary>Greedy autoregressive decoding, scored as the seed scores it (its postprocess).</summary>
public static class Evaluator
{
    public static EvaluationResult Evaluate(AdditionTransformer model, IReadOnlyList<(long A, long B)> pairs,
                                            int failuresToKeep = 25, int batchSize = 2000)
    {
        var format = model.Options.Format;
        var answers = DecodeAnswers(model, pairs, batchSize);
        int correct = 0;
        var digitCorrect = new int[AdditionFormat.SumDigits];
        var failures = new List<FailureCase>();
        for (int i = 0; i < pairs.Count; i++)
        {
            var (a, b) = pairs[i];
            long expected = a + b;
            long? predicted = format.Postprocess(answers[i]);
            long rest = expected;
            for (int j = 0; j < AdditionFormat.SumDigits; j++, rest /= 10)
                if (answers[i][j] == rest % 10) digitCorrect[j]++;
            if (predicted == expected) correct++;
            else if (failures.Count < failuresToKeep)
                failures.Add(new FailureCase(a, b, expected, predicted, format.Decode(answers[i])));
        }
        int n = Math.Max(1, pairs.Count);
        return new EvaluationResult(pairs.Count, (double)correct / n,
            digitCorrect.Select(c => (double)c / n).ToArray(), failures);
    }

    /// <summary>The <see cref="AdditionFormat.AnswerLength"/> tokens greedily decoded after each pair's prompt.</summary>
    public static int[][] DecodeAnswers(AdditionTransformer model, IReadOnlyList<(long A, long B)> pairs, int batchSize = 2000)
    {
        var format = model.Options.Format;
        int prompt = format.PromptLength, answer = format.AnswerLength;
        var results = new int[pairs.Count][];
        using var _ = torch.no_grad();
        for (int start = 0; start < pairs.Count; start += batchSize)
        {
            int n = Math.Min(batchSize, pairs.Count - start);
            var tokens = new long[n * prompt];
            for (int i = 0; i < n; i++)
                format.WritePrompt(pairs[start + i].A, pairs[start + i].B, tokens.AsSpan(i * prompt, prompt));

            using var scope = torch.NewDisposeScope();
            var sequence = torch.tensor(tokens, [n, prompt]);                              // [N, P]
            for (int step = 0; step < answer; step++)
            {
                using var stepScope = torch.NewDisposeScope();
                var last = model.Hidden(sequence, from: sequence.shape[1] - 1).select(1, 0); // [N, d]: the newest position only
                var next = model.Logits(last).argmax(-1).unsqueeze(1);                    // [N, 1]
                sequence = torch.cat([sequence, next], 1).MoveToOuterDisposeScope();     // [N, P + step + 1]
            }
            var decoded = sequence.narrow(1, prompt, answer).contiguous().data<long>().ToArray();
            for (int i = 0; i < n; i++)
            {
                var row = new int[answer];
                for (int j = 0; j < answer; j++) row[j] = (int)decoded[i * answer + j];
                results[start + i] = row;
            }
        }
        return results;
    }
}
