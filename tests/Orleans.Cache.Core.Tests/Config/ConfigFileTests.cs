using Orleans.Cache.Core.Config;

namespace Orleans.Cache.Core.Tests.Config;

/// <summary>Reading a redis.conf-format file at start and CONFIG REWRITE's write-back, as Redis's rewriteConfig does it.</summary>
public class ConfigFileTests
{
    [Fact]
    public void A_file_sets_parameters_with_quotes_aliases_and_several_save_lines()
    {
        var config = new ServerConfig();
        var skipped = new List<string>();
        ConfigFile.Apply(config, [
            "# a comment", "", "hash-max-ziplist-entries 16", "save 900 1", "save 300 10", "maxmemory 100mb",
            "notify-keyspace-events \"Ex\"", "include /etc/redis/other.conf", "requirepass 'p w'",
            "client-output-buffer-limit pubsub 64mb 16mb 90",
        ], skipped);
        Assert.Equal("16", config.Get("hash-max-listpack-entries"));
        Assert.Equal("900 1 300 10", config.Get("save"));
        Assert.Equal("104857600", config.Get("maxmemory"));
        Assert.Equal("xE", config.Get("notify-keyspace-events"));
        Assert.Equal("p w", config.Get("requirepass"));
        Assert.Equal("normal 0 0 0 slave 268435456 67108864 60 pubsub 67108864 16777216 90", config.Get("client-output-buffer-limit"));
        Assert.Equal(["include"], skipped);
    }

    [Fact]
    public void A_bad_value_in_the_file_is_refused_with_its_line()
    {
        var e = Assert.Throws<FormatException>(() => ConfigFile.Apply(new ServerConfig(), ["hz 10", "maxmemory-samples 0"], new List<string>()));
        Assert.Contains("line 2", e.Message);
        Assert.Contains("argument must be between 1 and 64 inclusive", e.Message);
        Assert.Throws<FormatException>(() => ConfigFile.Apply(new ServerConfig(), ["requirepass \"unterminated"], new List<string>()));
    }

    [Fact]
    public void Rewrite_replaces_lines_in_place_keeps_comments_and_appends_the_rest()
    {
        string[] file =
        [
            "# My redis", "port 7000", "", "# encodings", "hash-max-ziplist-entries 16", "hash-max-listpack-entries 32",
            "rename-command FLUSHALL \"\"", "hz 10",
        ];
        var config = new ServerConfig();
        ConfigFile.Apply(config, file, new List<string>());
        Assert.Equal("ERR CONFIG SET failed (possibly related to argument 'dbfilename') - can't set protected config",
            config.Set([("hash-max-listpack-entries", "64"), ("dbfilename", "x.rdb")]).Error);
        Assert.Null(config.Set([("hash-max-listpack-entries", "64"), ("maxmemory", "2gb"), ("requirepass", "s\"x")]).Error);

        var rewritten = ConfigFile.Rewrite(file, config.Snapshot());
        Assert.Equal(
        [
            "# My redis", "port 7000", "", "# encodings", "hash-max-listpack-entries 64",
            "rename-command FLUSHALL \"\"", "hz 10", ConfigFile.Signature, "requirepass \"s\\\"x\"", "maxmemory 2gb",
        ], rewritten);

        // Rewriting again changes nothing, and reading the result back gives the same values.
        Assert.Equal(rewritten, ConfigFile.Rewrite(rewritten, config.Snapshot()));
        var reread = new ServerConfig();
        ConfigFile.Apply(reread, rewritten, new List<string>());
        Assert.Equal("s\"x", reread.Get("requirepass"));
        Assert.Equal("2147483648", reread.Get("maxmemory"));
    }

    [Fact]
    public void Rewrite_writes_save_and_buffer_limits_one_line_each()
    {
        var config = new ServerConfig();
        Assert.Null(config.Set([("save", "60 5 10 100"), ("client-output-buffer-limit", "normal 1mb 512kb 10")]).Error);
        var rewritten = ConfigFile.Rewrite(["save 3600 1"], config.Snapshot());
        Assert.Equal(
        [
            "save 60 5", ConfigFile.Signature, "save 10 100", "client-output-buffer-limit normal 1mb 512kb 10",
            "client-output-buffer-limit slave 256mb 64mb 60", "client-output-buffer-limit pubsub 32mb 8mb 60",
        ], rewritten);
    }
}
