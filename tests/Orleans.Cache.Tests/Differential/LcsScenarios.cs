namespace Orleans.Cache.Tests.Differential;

/// <summary>
/// LCS as redis-server 7.0.15 answers it: the string, LEN, IDX with MINMATCHLEN and WITHMATCHLEN (a flat array in RESP2,
/// a map in RESP3), missing keys, control characters, option errors; plus seeded random pairs, where ties in the walk back
/// decide which of several common subsequences and which ranges come out.
/// </summary>
public static class LcsScenarios
{
    private const string Rna1 = "CACCTTCCCAGGTAACAAACCAACCAACTTTCGATCTCTTGTAGATCTGTTCTCTAAACGAACTTTAAAATCTGTGTGGCTGTCACTCGGCTGCATGCTTAGTGCACTCACGCAGTATAATTAATAACTAATTACTGTCGTTGACAGGACACGAGTAACTCGTCTATCTTCTGCAGGCTGCTTACGGTTTCGTCCGTGTTGCAGCCGATCATCAGCACATCTAGGTTTCGTCCGGGTGTG";
    private const string Rna2 = "ATTAAAGGTTTATACCTTCCCAGGTAACAAACCAACCAACTTTCGATCTCTTGTAGATCTGTTCTCTAAACGAACTTTAAAATCTGTGTGGCTGTCACTCGGCTGCATGCTTAGTGCACTCACGCAGTATAATTAATAACTAATTACTGTCGTTGACAGGACACGAGTAACTCGTCTATCTTCTGCAGGCTGCTTACGGTTTCGTCCGTGTTGCAGCCGATCATCAGCACATCTAGGTTT";

    public static readonly Scenario[] All =
    [
        new("lcs_of_two_rna_strings_in_every_shape",
            $"SET @v1 {Rna1}", $"SET @v2 {Rna2}",
            "LCS @v1 @v2", "LCS @v1 @v2 LEN", "LCS @v1 @v2 IDX", "LCS @v1 @v2 IDX WITHMATCHLEN",
            "LCS @v1 @v2 IDX WITHMATCHLEN MINMATCHLEN 5", "LCS @v1 @v2 minmatchlen 3 idx", "LCS @v2 @v1 IDX WITHMATCHLEN"),
        new("lcs_of_short_words_missing_keys_and_empty_strings",
            "SET @a ohmytext", "SET @b mynewtext", "LCS @a @b", "LCS @a @b LEN", "LCS @a @b IDX WITHMATCHLEN",
            "LCS @a @missing", "LCS @missing @other LEN", "LCS @missing @a IDX", "SET @e \"\"", "LCS @e @a IDX WITHMATCHLEN",
            "LCS @a @a IDX MINMATCHLEN -3 WITHMATCHLEN", "SET @n 12345", "SET @m 912x45", "LCS @n @m IDX WITHMATCHLEN"),
        new("lcs_of_strings_with_control_characters",
            "SET @x \"a\\r\\nb\\tc \\\"q\"", "SET @y \"\\r\\nbc\\t\\\" d\"", "LCS @x @y", "LCS @x @y IDX WITHMATCHLEN"),
        new("lcs_errors_and_option_rules",
            "SET @a abc", "RPUSH @l x", "LCS @a @b LEN IDX", "LCS @a @b NOPE", "LCS @a @b MINMATCHLEN", "LCS @a @b MINMATCHLEN x",
            "LCS @a @l", "LCS @l @a NOPE", "LCS @a", "LCS @a @b LEN LEN", "LCS @a @a WITHMATCHLEN", "LCS @a @a MINMATCHLEN 9 LEN"),
        new("lcs_inside_a_transaction_and_a_script",
            "SET @a hello", "SET @b yellow", "MULTI", "LCS @a @b", "LCS @a @b IDX", "EXEC",
            "EVAL \"return redis.call('LCS', KEYS[1], KEYS[2], 'IDX', 'WITHMATCHLEN')\" 2 @a @b"),
        Random("lcs_of_seeded_random_dna_pairs", seed: 7, pairs: 12, alphabet: "ACGT", maxLength: 40),
        Random("lcs_of_seeded_random_binary_pairs", seed: 11, pairs: 8, alphabet: "ab", maxLength: 25),
    ];

    /// <summary>Pairs of random strings (lengths 0..maxLength) asked for in every shape.</summary>
    private static Scenario Random(string name, int seed, int pairs, string alphabet, int maxLength)
    {
        var random = new Random(seed);
        string Word() => new([.. Enumerable.Range(0, random.Next(maxLength + 1)).Select(_ => alphabet[random.Next(alphabet.Length)])]);
        var lines = new List<string>();
        for (int i = 0; i < pairs; i++)
        {
            lines.Add($"SET @p{i} \"{Word()}\"");
            lines.Add($"SET @q{i} \"{Word()}\"");
            lines.Add($"LCS @p{i} @q{i}");
            lines.Add($"LCS @p{i} @q{i} IDX WITHMATCHLEN");
            lines.Add($"LCS @p{i} @q{i} IDX MINMATCHLEN {random.Next(4)}");
        }
        return new Scenario(name, [.. lines]);
    }
}
