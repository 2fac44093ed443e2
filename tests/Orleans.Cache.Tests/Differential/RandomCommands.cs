namespace Orleans.Cache.Tests.Differential;

/// <summary>
/// A seeded generator of command sequences over a few keys of each type (so wrong-type errors happen too), with
/// MULTI/EXEC blocks that sometimes hold a queuing error or end in DISCARD, WATCH/UNWATCH with a second connection
/// writing in between, and EVAL of scripts from a fixed list. Only commands whose replies are deterministic: no TTL
/// reads (they depend on elapsed time), no set member listings (their order is the implementation's).
/// </summary>
public static class RandomCommands
{
    private static readonly string[] Strings = ["@s0", "@s1", "@s2"];
    private static readonly string[] Lists = ["@l0", "@l1"];
    private static readonly string[] Hashes = ["@h0", "@h1"];
    private static readonly string[] Sets = ["@x0"];
    private static readonly string[] AllKeys = [.. Strings, .. Lists, .. Hashes, .. Sets];

    private static readonly string[] Scripts =
    [
        "return redis.call('INCR', KEYS[1])",
        "return redis.pcall('RPUSH', KEYS[1], ARGV[1])",
        "local v = redis.call('GET', KEYS[1]); if v then return v else return {err = 'EMPTY no value'} end",
        "return {redis.call('EXISTS', KEYS[1]), ARGV[1], 1.5}",
        "redis.call('HSET', KEYS[1], 'f', ARGV[1]); return redis.call('HGETALL', KEYS[1])",
        "return redis.call('TYPE', KEYS[1])",
    ];

    /// <summary>
    /// <paramref name="count"/> commands (a block counts whole) from <paramref name="seed"/>; without
    /// <paramref name="transactionsAndScripts"/> only plain data commands, on connections A and B.
    /// </summary>
    public static IEnumerable<Step> Generate(int seed, int count, bool transactionsAndScripts = true)
    {
        var random = new Random(seed);
        string Pick(string[] from) => from[random.Next(from.Length)];
        string Value() => random.Next(3) == 0 ? $"{random.Next(-5, 100)}" : $"v{random.Next(10)}";

        string[] Data()
        {
            // A key of the right type most of the time, any key (a likely WRONGTYPE) otherwise.
            string K(string[] typed) => random.Next(5) == 0 ? Pick(AllKeys) : Pick(typed);
            return random.Next(24) switch
            {
                0 => ["SET", K(Strings), Value()],
                1 => ["GET", K(Strings)],
                2 => ["INCR", K(Strings)],
                3 => ["INCRBY", K(Strings), $"{random.Next(-10, 10)}"],
                4 => ["APPEND", K(Strings), Value()],
                5 => ["DEL", Pick(AllKeys)],
                6 => ["EXISTS", Pick(AllKeys), Pick(AllKeys)],
                7 => ["TYPE", Pick(AllKeys)],
                8 => ["LPUSH", K(Lists), Value()],
                9 => ["RPUSH", K(Lists), Value(), Value()],
                10 => ["LPOP", K(Lists)],
                11 => ["LRANGE", K(Lists), "0", "-1"],
                12 => ["LLEN", K(Lists)],
                13 => ["HSET", K(Hashes), $"f{random.Next(4)}", Value()],
                14 => ["HGET", K(Hashes), $"f{random.Next(4)}"],
                15 => ["HDEL", K(Hashes), $"f{random.Next(4)}"],
                16 => ["HINCRBY", K(Hashes), $"f{random.Next(4)}", $"{random.Next(-3, 4)}"],
                17 => ["HGETALL", K(Hashes)],
                18 => ["SADD", K(Sets), $"m{random.Next(6)}"],
                19 => ["SISMEMBER", K(Sets), $"m{random.Next(6)}"],
                20 => ["SCARD", K(Sets)],
                21 => ["EXPIRE", Pick(AllKeys), $"{random.Next(10_000, 100_000)}"],
                22 => ["PERSIST", Pick(AllKeys)],
                _ when transactionsAndScripts => ["EVAL", Pick(Scripts), "1", Pick(AllKeys), Value()],
                _ => ["EXISTS", Pick(AllKeys)],
            };
        }

        string[] QueueError() => random.Next(3) switch
        {
            0 => ["NOSUCHCOMMAND", Pick(AllKeys)],
            1 => ["GET"],
            _ => ["INCR", Pick(Strings), "extra"],
        };

        int emitted = 0;
        while (emitted < count)
        {
            switch (transactionsAndScripts ? random.Next(10) : 0)
            {
                case < 6:
                    yield return new Step(random.Next(6) == 0 ? "B" : "A", Data());
                    emitted++;
                    break;
                case < 8:
                    // A transaction on A, sometimes with a queuing error, sometimes discarded.
                    yield return new Step("A", ["MULTI"]);
                    for (int i = random.Next(5); i > 0; i--) yield return new Step("A", random.Next(12) == 0 ? QueueError() : Data());
                    yield return new Step("A", random.Next(6) == 0 ? ["DISCARD"] : ["EXEC"]);
                    emitted += 6;
                    break;
                default:
                    // WATCH on A, maybe a write (or UNWATCH) in between, then a transaction on the watched key.
                    string watched = Pick(AllKeys);
                    yield return new Step("A", ["WATCH", watched, Pick(AllKeys)]);
                    switch (random.Next(4))
                    {
                        case 0: yield return new Step("B", ["SET", watched, Value()]); break;
                        case 1: yield return new Step("B", ["DEL", watched]); break;
                        case 2: yield return new Step("A", ["UNWATCH"]); break;
                        default: yield return new Step("B", ["GET", watched]); break;
                    }
                    yield return new Step("A", ["MULTI"]);
                    yield return new Step("A", Data());
                    yield return new Step("A", ["EXEC"]);
                    emitted += 5;
                    break;
            }
        }
    }
}
