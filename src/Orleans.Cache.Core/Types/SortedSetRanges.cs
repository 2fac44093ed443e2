namespace Orleans.Cache.Core;

/// <summary>A score interval as ZRANGEBYSCORE reads it: "1.5", "(1.5" (exclusive), "-inf", "+inf".</summary>
internal readonly record struct ScoreRange(double Min, double Max, bool MinExclusive, bool MaxExclusive)
{
    public static readonly Reply NotFloat = Reply.Error("ERR min or max is not a float");

    public static ScoreRange Parse(byte[] min, byte[] max)
    {
        var (lo, loEx) = Bound(min);
        var (hi, hiEx) = Bound(max);
        return new ScoreRange(lo, hi, loEx, hiEx);
    }

    private static (double, bool) Bound(byte[] arg)
    {
        bool exclusive = arg.Length > 0 && arg[0] == '(';
        if (exclusive && arg.Length == 1) return (0, true); // Redis reads an empty number after "(" as 0
        return Args.TryDouble(exclusive ? arg.AsSpan(1) : arg, out double v)
            ? (v, exclusive) : throw new CommandException(NotFloat);
    }

    public bool IsEmpty => Min > Max || Min == Max && (MinExclusive || MaxExclusive);
    public bool AboveMin(double score) => MinExclusive ? score > Min : score >= Min;
    public bool BelowMax(double score) => MaxExclusive ? score < Max : score <= Max;
}

/// <summary>A member interval as ZRANGEBYLEX reads it: "[a" (inclusive), "(a" (exclusive), "-" and "+" for the ends.</summary>
internal readonly record struct LexRange(LexBound Min, LexBound Max)
{
    public static readonly Reply NotValid = Reply.Error("ERR min or max not valid string range item");

    public static LexRange Parse(byte[] min, byte[] max) => new(LexBound.Parse(min), LexBound.Parse(max));

    public bool IsEmpty
    {
        get
        {
            if (Min.Infinity > 0 || Max.Infinity < 0) return true;
            if (Min.Infinity < 0 || Max.Infinity > 0) return false;
            int c = Min.Value.AsSpan().SequenceCompareTo(Max.Value);
            return c > 0 || c == 0 && (Min.Exclusive || Max.Exclusive);
        }
    }

    public bool AboveMin(byte[] member) => Min.Infinity != 0
        ? Min.Infinity < 0
        : member.AsSpan().SequenceCompareTo(Min.Value) is var c && (Min.Exclusive ? c > 0 : c >= 0);

    public bool BelowMax(byte[] member) => Max.Infinity != 0
        ? Max.Infinity > 0
        : member.AsSpan().SequenceCompareTo(Max.Value) is var c && (Max.Exclusive ? c < 0 : c <= 0);
}

/// <summary>One end of a <see cref="LexRange"/>: Infinity is -1 for "-", +1 for "+", 0 for a member bound.</summary>
internal readonly record struct LexBound(int Infinity, byte[] Value, bool Exclusive)
{
    public static LexBound Parse(byte[] arg) => arg switch
    {
        [(byte)'-'] => new LexBound(-1, [], false),
        [(byte)'+'] => new LexBound(1, [], false),
        [(byte)'[', ..] => new LexBound(0, arg[1..], false),
        [(byte)'(', ..] => new LexBound(0, arg[1..], true),
        _ => throw new CommandException(LexRange.NotValid),
    };
}
