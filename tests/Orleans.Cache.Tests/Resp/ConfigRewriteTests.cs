using Orleans.Cache.Core.Config;

namespace Orleans.Cache.Tests.Resp;

/// <summary>A silo started with a redis.conf-format file (Resp:ConfigFile / --config-file): read at start, written back by CONFIG REWRITE.</summary>
public sealed class ConfigRewriteTests : IDisposable
{
    private readonly string _dir = Directory.CreateTempSubdirectory("orleans-cache-config-").FullName;

    public void Dispose() => Directory.Delete(_dir, recursive: true);

    [Fact]
    public async Task Without_a_config_file_rewrite_answers_redis_error()
    {
        await using var server = await RespTestServer.StartAsync();
        using var client = await RawClient.ConnectAsync(server.EndPoint);
        Assert.Equal("-ERR The server is running without a config file\r\n", await client.RoundTripAsync("CONFIG REWRITE\r\n", 200));
        Assert.Equal("-ERR wrong number of arguments for 'config|rewrite' command\r\n", await client.RoundTripAsync("CONFIG REWRITE x\r\n", 200));
    }

    [Fact]
    public async Task The_file_is_read_at_start_and_rewrite_writes_changes_back_keeping_the_rest()
    {
        string path = Path.Combine(_dir, "redis.conf");
        await File.WriteAllLinesAsync(path,
        [
            "# Orleans.Cache test configuration", "", "# small hashes", "hash-max-ziplist-entries 64", "maxmemory-policy allkeys-lru",
            "rename-command DEBUG \"\"", "requirepass \"\"",
        ]);
        await using var server = await RespTestServer.StartAsync(o => o.ConfigFile = path);
        using var client = await RawClient.ConnectAsync(server.EndPoint);
        Assert.Equal("*2\r\n$25\r\nhash-max-listpack-entries\r\n$2\r\n64\r\n", await client.RoundTripAsync("CONFIG GET hash-max-listpack-entries\r\n", 200));
        Assert.Equal("*2\r\n$16\r\nmaxmemory-policy\r\n$11\r\nallkeys-lru\r\n", await client.RoundTripAsync("CONFIG GET maxmemory-policy\r\n", 200));

        Assert.Equal("+OK\r\n", await client.RoundTripAsync("CONFIG SET hash-max-listpack-entries 100 maxmemory 10mb\r\n", 200));
        Assert.Equal("+OK\r\n", await client.RoundTripAsync("CONFIG REWRITE\r\n", 200));

        var lines = await File.ReadAllLinesAsync(path);
        Assert.Equal(["# Orleans.Cache test configuration", "", "# small hashes", "hash-max-listpack-entries 100", "maxmemory-policy allkeys-lru",
            "rename-command DEBUG \"\"", "requirepass \"\""], lines.Take(7));
        Assert.Equal(ConfigFile.Signature, lines[7]);
        Assert.Contains("maxmemory 10mb", lines);
        Assert.Contains($"port {server.Port}", lines);
        Assert.DoesNotContain(lines, l => l.StartsWith("hash-max-ziplist-entries", StringComparison.Ordinal));

        // What was written reads back to the same values.
        var reread = new ServerConfig();
        ConfigFile.Apply(reread, lines, new List<string>());
        Assert.Equal("100", reread.Get("hash-max-listpack-entries"));
        Assert.Equal("10485760", reread.Get("maxmemory"));
        Assert.Equal("allkeys-lru", reread.Get("maxmemory-policy"));
    }
}
