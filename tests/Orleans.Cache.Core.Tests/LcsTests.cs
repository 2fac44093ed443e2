namespace Orleans.Cache.Core.Tests;

/// <summary>LCS (Redis 7.0): the string, LEN, IDX ranges with MINMATCHLEN and WITHMATCHLEN, and the errors, as redis-server 7.0.15 answers.</summary>
public sealed class LcsTests
{
    private readonly TypesDb _db = new();

    // Redis's own test strings (tests/unit/type/string.tcl) and the answers redis-server gives for them.
    private const string Rna1 = "CACCTTCCCAGGTAACAAACCAACCAACTTTCGATCTCTTGTAGATCTGTTCTCTAAACGAACTTTAAAATCTGTGTGGCTGTCACTCGGCTGCATGCTTAGTGCACTCACGCAGTATAATTAATAACTAATTACTGTCGTTGACAGGACACGAGTAACTCGTCTATCTTCTGCAGGCTGCTTACGGTTTCGTCCGTGTTGCAGCCGATCATCAGCACATCTAGGTTTCGTCCGGGTGTG";
    private const string Rna2 = "ATTAAAGGTTTATACCTTCCCAGGTAACAAACCAACCAACTTTCGATCTCTTGTAGATCTGTTCTCTAAACGAACTTTAAAATCTGTGTGGCTGTCACTCGGCTGCATGCTTAGTGCACTCACGCAGTATAATTAATAACTAATTACTGTCGTTGACAGGACACGAGTAACTCGTCTATCTTCTGCAGGCTGCTTACGGTTTCGTCCGTGTTGCAGCCGATCATCAGCACATCTAGGTTT";
    private const string RnaLcs = "ACCTTCCCAGGTAACAAACCAACCAACTTTCGATCTCTTGTAGATCTGTTCTCTAAACGAACTTTAAAATCTGTGTGGCTGTCACTCGGCTGCATGCTTAGTGCACTCACGCAGTATAATTAATAACTAATTACTGTCGTTGACAGGACACGAGTAACTCGTCTATCTTCTGCAGGCTGCTTACGGTTTCGTCCGTGTTGCAGCCGATCATCAGCACATCTAGGTTT";

    public LcsTests()
    {
        _db.Do("SET", "v1", Rna1);
        _db.Do("SET", "v2", Rna2);
    }

    [Fact]
    public void Lcs_answers_the_common_subsequence_and_LEN_its_length()
    {
        Assert.Equal(RnaLcs, _db.Do("LCS", "v1", "v2"));
        Assert.Equal(RnaLcs.Length.ToString(), _db.Do("LCS", "v1", "v2", "LEN"));
        _db.Do("SET", "a", "ohmytext");
        _db.Do("SET", "b", "mynewtext");
        Assert.Equal("mytext", _db.Do("LCS", "a", "b"));
        Assert.Equal("6", _db.Do("LCS", "a", "b", "LEN"));
    }

    [Fact]
    public void Lcs_IDX_answers_the_matches_from_the_end_and_the_length()
    {
        var reply = _db.Run("LCS", "v1", "v2", "IDX");
        Assert.Equal(ReplyKind.Map, reply.Kind);
        Assert.Equal("[matches,[[[238,238],[239,239]],[[236,236],[238,238]],[[229,230],[236,237]],[[224,224],[235,235]],[[1,222],[13,234]]],len,227]",
            TypesDb.Render(reply));
        Assert.Equal("[matches,[[[238,238],[239,239],1],[[236,236],[238,238],1],[[229,230],[236,237],2],[[224,224],[235,235],1],[[1,222],[13,234],222]],len,227]",
            _db.Do("LCS", "v1", "v2", "IDX", "WITHMATCHLEN"));
        Assert.Equal("[matches,[[[1,222],[13,234],222]],len,227]", _db.Do("LCS", "v1", "v2", "idx", "withmatchlen", "minmatchlen", "5"));
        Assert.Equal("[matches,[[[1,222],[13,234]]],len,227]", _db.Do("LCS", "v1", "v2", "MINMATCHLEN", "5", "IDX"));
    }

    [Fact]
    public void Lcs_treats_missing_keys_as_empty_strings()
    {
        Assert.Equal("", _db.Do("LCS", "v1", "nokey"));
        Assert.Equal("0", _db.Do("LCS", "nokey", "nokey2", "LEN"));
        Assert.Equal("[matches,[],len,0]", _db.Do("LCS", "nokey", "v2", "IDX"));
        _db.Do("SET", "x", "abc");
        Assert.Equal("[matches,[[[0,2],[0,2]]],len,3]", _db.Do("LCS", "x", "x", "IDX"));
        Assert.Equal("[matches,[[[0,2],[0,2],3]],len,3]", _db.Do("LCS", "x", "x", "MINMATCHLEN", "-5", "IDX", "WITHMATCHLEN"));
    }

    [Fact]
    public void Lcs_errors_use_Redis_texts()
    {
        Assert.Equal("ERR If you want both the length and indexes, please just use IDX.", _db.Do("LCS", "v1", "v2", "LEN", "IDX"));
        Assert.Equal("ERR syntax error", _db.Do("LCS", "v1", "v2", "NOPE"));
        Assert.Equal("ERR syntax error", _db.Do("LCS", "v1", "v2", "MINMATCHLEN"));
        Assert.Equal("ERR value is not an integer or out of range", _db.Do("LCS", "v1", "v2", "MINMATCHLEN", "x"));
        _db.Do("RPUSH", "l", "a");
        Assert.Equal("ERR The specified keys must contain string values", _db.Do("LCS", "v1", "l"));
        Assert.Equal("ERR The specified keys must contain string values", _db.Do("LCS", "l", "v1", "NOPE")); // the type comes first
        Assert.Equal("ERR wrong number of arguments for 'lcs' command", _db.Do("LCS", "v1"));
    }
}
