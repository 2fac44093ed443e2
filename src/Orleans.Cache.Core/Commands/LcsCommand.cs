namespace Orleans.Cache.Core;

/// <summary>
/// LCS key1 key2 [LEN] [IDX] [MINMATCHLEN len] [WITHMATCHLEN] (Redis 7.0): the longest common subsequence of two
/// strings by the textbook dynamic programme, walked back from the end as Redis walks it, so the string and the match
/// ranges are the ones redis-server answers.
/// </summary>
internal static class LcsCommand
{
    /// <summary>The largest table LCS builds: Redis refuses one bigger than proto-max-bulk-len (512 MB by default).</summary>
    public const long MaxTableBytes = RedisString.MaxLength;

    private static readonly Reply NotStrings = Reply.Error("ERR The specified keys must contain string values");
    private static readonly Reply LenAndIdx = Reply.Error("ERR If you want both the length and indexes, please just use IDX.");
    private static readonly Reply TableTooBig = Reply.Error("ERR Insufficient memory, transient memory for LCS exceeds proto-max-bulk-len");
    private static readonly Reply MatchesWord = Reply.Bulk("matches"), LenWord = Reply.Bulk("len");

    public static Reply Lcs(Keyspace db, byte[][] a)
    {
        var first = db.Find(a[1]);
        var second = db.Find(a[2]);
        if (first is not null && !RedisString.IsString(first.Value) || second is not null && !RedisString.IsString(second.Value))
            return NotStrings;
        bool len = false, idx = false, withMatchLen = false;
        long minMatchLen = 0;
        for (int i = 3; i < a.Length; i++)
        {
            if (Args.Is(a[i], "IDX")) idx = true;
            else if (Args.Is(a[i], "LEN")) len = true;
            else if (Args.Is(a[i], "WITHMATCHLEN")) withMatchLen = true;
            else if (Args.Is(a[i], "MINMATCHLEN") && i + 1 < a.Length) minMatchLen = Math.Max(0, Args.Long(a[++i]));
            else return Errors.Syntax;
        }
        if (len && idx) return LenAndIdx;

        var x = first is null ? ReadOnlySpan<byte>.Empty : RedisString.Bytes(first.Value).Span;
        var y = second is null ? ReadOnlySpan<byte>.Empty : RedisString.Bytes(second.Value).Span;
        int width = y.Length + 1;
        if ((long)(x.Length + 1) * width * sizeof(uint) > MaxTableBytes) return TableTooBig;

        // table[i * width + j] = length of the LCS of x[..i] and y[..j].
        var table = new uint[(x.Length + 1) * width];
        for (int i = 1; i <= x.Length; i++)
            for (int j = 1; j <= y.Length; j++)
                table[i * width + j] = x[i - 1] == y[j - 1]
                    ? table[(i - 1) * width + j - 1] + 1
                    : Math.Max(table[(i - 1) * width + j], table[i * width + j - 1]);
        uint length = table[x.Length * width + y.Length];
        if (len) return Reply.Int(length);

        var common = new byte[length];
        var matches = new List<Reply>();
        int k = (int)length;
        // The current run of matches, walked backwards: x[xStart..xEnd] = y[yStart..]; xStart == -1 when none is open.
        int xStart = -1, xEnd = 0, yStart = 0, yEnd = 0;
        for (int i = x.Length, j = y.Length; i > 0 && j > 0;)
        {
            bool emit = false;
            if (x[i - 1] == y[j - 1])
            {
                common[--k] = x[i - 1];
                if (xStart == -1) { xStart = xEnd = i - 1; yStart = yEnd = j - 1; }
                else if (xStart == i && yStart == j) { xStart--; yStart--; }
                else emit = true;
                if (xStart == 0 || yStart == 0) emit = true; // the run reached the start of a string: the walk ends
                i--; j--;
            }
            else
            {
                if (table[(i - 1) * width + j] > table[i * width + j - 1]) i--;
                else j--;
                if (xStart != -1) emit = true;
            }
            if (!emit) continue;
            int runLength = xEnd - xStart + 1;
            if (idx && (minMatchLen == 0 || runLength >= minMatchLen))
            {
                Reply[] match = withMatchLen ? new Reply[3] : new Reply[2];
                match[0] = Reply.Array([Reply.Int(xStart), Reply.Int(xEnd)]);
                match[1] = Reply.Array([Reply.Int(yStart), Reply.Int(yEnd)]);
                if (withMatchLen) match[2] = Reply.Int(runLength);
                matches.Add(Reply.Array(match));
            }
            xStart = -1;
        }
        if (!idx) return Reply.Bulk(common);
        return Reply.Map([MatchesWord, Reply.Array([.. matches]), LenWord, Reply.Int(length)]);
    }
}
