using StackExchange.Redis;

namespace Orleans.Cache.Tests.Resp;

/// <summary>
/// Commands Redis 7.0 to 8.4 clients already send, through StackExchange.Redis's own APIs for them on a 2-silo cluster,
/// over RESP2 and RESP3: hash field expiration, HGETDEL/HGETEX/HSETEX, LCS and compare-and-set.
/// </summary>
public sealed class NewerCommandTests(RespClusterFixture fixture) : IClassFixture<RespClusterFixture>
{
    public static TheoryData<RedisProtocol> Protocols => RedisClients.Protocols;

    [Theory, MemberData(nameof(Protocols))]
    public async Task Hash_fields_get_ttls_that_httl_reads_and_hpersist_removes(RedisProtocol protocol)
    {
        await using var redis = await fixture.ConnectAsync(0, protocol);
        var db = redis.GetDatabase();
        var key = RedisClients.Tag(protocol);
        await db.HashSetAsync(key, [new("session", "s1"), new("csrf", "c1"), new("user", "ann")]);

        Assert.Equal([ExpireResult.Success, ExpireResult.Success, ExpireResult.NoSuchField],
            await db.HashFieldExpireAsync(key, ["session", "csrf", "nope"], TimeSpan.FromMinutes(30)));
        Assert.Equal([ExpireResult.ConditionNotMet, ExpireResult.Success],
            await db.HashFieldExpireAsync(key, ["session", "user"], TimeSpan.FromHours(1), ExpireWhen.HasNoExpiry));
        var ttls = await db.HashFieldGetTimeToLiveAsync(key, ["session", "user", "nope"]);
        Assert.InRange(ttls[0], 29 * 60_000, 30 * 60_000);
        Assert.InRange(ttls[1], 59 * 60_000, 60 * 60_000);
        Assert.Equal(-2, ttls[2]);

        Assert.Equal([PersistResult.Success, PersistResult.NoSuchField], await db.HashFieldPersistAsync(key, ["session", "nope"]));
        Assert.Equal([PersistResult.ConditionNotMet], await db.HashFieldPersistAsync(key, ["session"]));
        Assert.Equal(-1, (await db.HashFieldGetTimeToLiveAsync(key, ["session"]))[0]);

        // A time in the past deletes the field at once.
        Assert.Equal([ExpireResult.Due], await db.HashFieldExpireAsync(key, ["csrf"], DateTime.UtcNow.AddMinutes(-1)));
        Assert.False(await db.HashExistsAsync(key, "csrf"));
        Assert.Equal(2, await db.HashLengthAsync(key));
    }

    [Theory, MemberData(nameof(Protocols))]
    public async Task Hgetdel_hgetex_and_hsetex_read_write_and_time_fields_together(RedisProtocol protocol)
    {
        await using var redis = await fixture.ConnectAsync(1, protocol);
        var db = redis.GetDatabase();
        var key = RedisClients.Tag(protocol);
        Assert.Equal(1, (long)await db.HashFieldSetAndSetExpiryAsync(key, [new("a", "1"), new("b", "2")], TimeSpan.FromMinutes(5)));
        Assert.InRange((await db.HashFieldGetTimeToLiveAsync(key, ["a"]))[0], 4 * 60_000, 5 * 60_000);
        Assert.Equal(0, (long)await db.HashFieldSetAndSetExpiryAsync(key, [new("a", "9")], TimeSpan.FromMinutes(5), when: When.NotExists));

        Assert.Equal("1", (string?)await db.HashFieldGetAndSetExpiryAsync(key, "a", expiry: null, persist: true));
        Assert.Equal(-1, (await db.HashFieldGetTimeToLiveAsync(key, ["a"]))[0]);

        Assert.Equal(["2", null], (await db.HashFieldGetAndDeleteAsync(key, ["b", "nope"])).Select(v => (string?)v));
        Assert.Equal("1", (string?)await db.HashFieldGetAndDeleteAsync(key, "a"));
        Assert.False(await db.KeyExistsAsync(key)); // the last field gone, the key is gone
    }

    [Theory, MemberData(nameof(Protocols))]
    public async Task Lcs_answers_the_subsequence_its_length_and_its_matches(RedisProtocol protocol)
    {
        await using var redis = await fixture.ConnectAsync(0, protocol);
        var db = redis.GetDatabase();
        var key = RedisClients.Tag(protocol);
        await db.StringSetAsync(key + ":a", "ohmytext");
        await db.StringSetAsync(key + ":b", "mynewtext");
        Assert.Equal("mytext", await db.StringLongestCommonSubsequenceAsync(key + ":a", key + ":b"));
        Assert.Equal(6, await db.StringLongestCommonSubsequenceLengthAsync(key + ":a", key + ":b"));
        var result = await db.StringLongestCommonSubsequenceWithMatchesAsync(key + ":a", key + ":b", minLength: 2);
        Assert.Equal(6, result.LongestMatchLength);
        Assert.Equal(["4-7/5-8 (4)", "2-3/0-1 (2)"],
            result.Matches.Select(m => $"{m.First.Start}-{m.First.End}/{m.Second.Start}-{m.Second.End} ({m.Length})"));
    }

    [Theory, MemberData(nameof(Protocols))]
    public async Task A_lock_is_renewed_and_released_only_by_its_holder_with_compare_and_set(RedisProtocol protocol)
    {
        await using var redis = await fixture.ConnectAsync(1, protocol);
        var db = redis.GetDatabase();
        var key = RedisClients.Tag(protocol);
        Assert.True(await db.StringSetAsync(key, "token-a", TimeSpan.FromSeconds(30), When.NotExists));
        Assert.False(await db.StringSetAsync(key, "token-b", TimeSpan.FromSeconds(60), ValueCondition.Equal("token-x")));
        Assert.True(await db.StringSetAsync(key, "token-a", TimeSpan.FromSeconds(60), ValueCondition.Equal("token-a")));
        Assert.InRange((await db.KeyTimeToLiveAsync(key))!.Value.TotalSeconds, 50, 60);

        var digest = await db.StringDigestAsync(key);
        Assert.Equal(ValueCondition.CalculateDigest("token-a"u8), digest);
        Assert.False(await db.StringDeleteAsync(key, ValueCondition.Equal("token-x")));
        Assert.True(await db.StringDeleteAsync(key, digest!.Value));
        Assert.False(await db.KeyExistsAsync(key));
    }
}
