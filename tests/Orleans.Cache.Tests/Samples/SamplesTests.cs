using System.Globalization;
using System.Net;
using System.Text.RegularExpressions;
using Orleans.Cache.Tests.Postgres;
using Xunit.Abstractions;

namespace Orleans.Cache.Tests.Samples;

/// <summary>
/// Every sample under silo/Samples, run as its README command runs it (its build output, in its own process, with its
/// embedded silo on free ports), and what it prints or serves checked. The query-caching sample reads a table in a
/// throwaway PostgreSQL server, with fewer rows than its default so that the class stays within a minute or two.
/// </summary>
public sealed class SamplesTests(PostgresServer postgres, ITestOutputHelper output) : IClassFixture<PostgresServer>
{
    private static readonly TimeSpan Within = TimeSpan.FromMinutes(2);

    /// <summary>Runs silo/Samples/<paramref name="sample"/> to its end; its output.</summary>
    private async Task<string> RunAsync(string sample, params string[] args)
    {
        using var process = Start(sample, args);
        await process.WaitForExitAsync(Within);
        output.WriteLine(process.Output);
        Assert.True(process.ExitCode == 0, $"{sample} exited with {process.ExitCode}:\n{process.Output}");
        return process.Output;
    }

    private static SiloProcess Start(string sample, string[] args) =>
        SiloProcess.Start(SiloProcess.BuildOutput(Path.Combine("silo", "Samples", sample), $"{sample}.dll"),
            [.. args, "--Silo:SiloPort", $"{PostgresSilo.FreePort()}", "--Silo:GatewayPort", $"{PostgresSilo.FreePort()}"]);

    private static long Number(string text) => long.Parse(text, NumberStyles.AllowThousands, CultureInfo.InvariantCulture);

    [Fact]
    public async Task Sessions_written_through_one_web_server_are_read_and_ended_through_the_other()
    {
        string printed = await RunAsync("Sessions");
        Assert.Contains("POST A /login?user=alice      -> 200 welcome alice", printed);
        Assert.Contains("POST B /cart?item=book        -> 200 1 × book in the cart", printed);
        Assert.Contains("POST B /cart?item=book        -> 200 2 × book in the cart", printed);
        Assert.Contains("GET  A /me                    -> 200 alice, cart: 2 × book, 1 × pen", printed);
        // The session is one hash with a 20-minute TTL, renewed by every request.
        Assert.Matches(@"in the cache: session:[0-9a-f]{32} = user=alice, since=.*, cart:book=2, cart:pen=1; TTL (19\.9|20\.0) min", printed);
        // Logged out on B: A no longer knows alice, and her cart cannot come back as a session without a TTL.
        Assert.Contains("POST B /logout                -> 200 bye", printed);
        Assert.Contains("GET  A /me                    -> 401", printed);
        Assert.Contains("POST B /cart?item=pen         -> 401", printed);
    }

    [Fact]
    public async Task Query_caching_prints_the_query_slower_under_load_and_the_cache_faster_than_the_query()
    {
        string db = await postgres.CreateDatabaseAsync(applySchema: false);
        string printed = await RunAsync("QueryCaching", "--connection", db, "--rows", "100000");
        Assert.Contains("orders: 100,000 rows in PostgreSQL", printed);
        double Median(string what) => double.Parse(Regex.Match(printed, $@"^{Regex.Escape(what)}:\s+median\s+([\d,.]+) ms", RegexOptions.Multiline).Groups[1].Value,
            NumberStyles.Float | NumberStyles.AllowThousands, CultureInfo.InvariantCulture);
        double alone = Median("uncached, 1 client"), loaded = Median("uncached, 50 concurrent clients"), cached = Median("cached, 50 concurrent clients");
        Assert.True(loaded > alone, $"50 concurrent clients ({loaded} ms) should wait longer than one ({alone} ms)");
        Assert.True(cached < alone, $"a cache hit ({cached} ms) should be faster than the query ({alone} ms)");
        // Stampede protection: 50 callers on a cold key, one query; and none while the report is cached.
        Assert.Contains("cache-aside, 50 concurrent clients on a cold key: 1 query ran", printed);
        Assert.Contains("queries while cached: 0", printed);
    }

    [Fact]
    public async Task Rate_limits_hold_across_three_app_instances()
    {
        string printed = await RunAsync("RateLimiting");
        Assert.Matches(@"login attempts for alice \(5 per 15 min\): 5 of 30 allowed, 25 refused, retry after (899|900) s", printed);
        Assert.Contains("login attempts for bob: 1 of 1 allowed, 0 refused", printed);
        // A burst gets the bucket's 20 tokens (and a refill of 10 if the burst outlasts a second on a busy machine).
        long api = Number(Regex.Match(printed, @"API calls with key-123 \(bucket of 20\): ([\d,]+) of 100 allowed").Groups[1].Value);
        Assert.True(api is 20 or 30, $"{api} API calls allowed");
    }

    [Fact]
    public async Task Leaderboard_prints_the_top_10_in_score_order_and_a_players_place_among_its_neighbours()
    {
        string printed = await RunAsync("Leaderboard");
        Assert.Contains("100,000 players loaded", printed);
        Assert.Contains("20,000 game results (ZINCRBY)", printed);
        var top = Regex.Matches(printed, @"^  #(\d+)\s+player:\d+\s+([\d,]+)$", RegexOptions.Multiline);
        var first10 = top.Take(10).ToArray();
        Assert.Equal(Enumerable.Range(1, 10), first10.Select(m => (int)Number(m.Groups[1].Value)));
        var scores = first10.Select(m => Number(m.Groups[2].Value)).ToArray();
        Assert.Equal(scores.OrderDescending(), scores);
        // player:50000's place, and the board around it with that player at that place.
        long rank = Number(Regex.Match(printed, @"player:50000 is #([\d,]+) of 100,000").Groups[1].Value);
        Assert.Matches($@"#{rank:N0}\s+player:50000\s+[\d,]+  <- you", printed);
        Assert.Matches(@"ZREVRANK: [\d.]+ ms per lookup on a board of 100,000", printed);
    }

    [Fact]
    public async Task Game_servers_events_reach_each_match_subscriber_in_order_and_the_pattern_dashboard_gets_all()
    {
        string printed = await RunAsync("GamePubSub");
        Assert.Equal(8, Regex.Count(printed, "game server [12] published \".*\" to 2 subscribers"));
        Assert.Contains("alice (match:1) received 5: kick-off | goal: red 1-0 | goal: blue 1-1 | goal: red 2-1 | full time: red wins 2-1", printed);
        Assert.Contains("bob (match:2) received 3: kick-off | goal: green 0-1 | full time: green wins 0-1", printed);
        var dashboard = Regex.Match(printed, @"dashboard \(match:\*\) received 8: (.*)$", RegexOptions.Multiline).Groups[1].Value.Split(" | ");
        // Interleaved across matches, in order within each.
        Assert.Equal(["kick-off", "goal: red 1-0", "goal: blue 1-1", "goal: red 2-1", "full time: red wins 2-1"],
            dashboard.Where(m => m.StartsWith("match:1: ", StringComparison.Ordinal)).Select(m => m["match:1: ".Length..]));
        Assert.Equal(["kick-off", "goal: green 0-1", "full time: green wins 0-1"],
            dashboard.Where(m => m.StartsWith("match:2: ", StringComparison.Ordinal)).Select(m => m["match:2: ".Length..]));
    }

    [Fact]
    public async Task Flash_sale_sells_exactly_the_stock_to_100000_buyers_and_the_database_sees_only_the_orders()
    {
        string printed = await RunAsync("FlashSale");
        Assert.Contains("100,000 buyers, 110,000 clicks, 1,000 items", printed);
        var counts = Regex.Match(printed, @"bought: ([\d,]+), sold out: ([\d,]+), pressed again after buying: ([\d,]+)");
        Assert.Equal(1_000, Number(counts.Groups[1].Value));
        Assert.Equal(109_000, Number(counts.Groups[2].Value) + Number(counts.Groups[3].Value));
        Assert.Contains("stock left in the cache: 0; winners in the cache: 1,000", printed);
        Assert.Contains("orders table: 1,000 rows from 1,000 INSERTs, one per winner; oversold: no", printed);
    }

    [Fact]
    public async Task Minimal_api_serves_output_cached_pages_remembers_visitors_and_limits_searches()
    {
        int port = PostgresSilo.FreePort();
        using var app = Start("MinimalApi", ["--urls", $"http://127.0.0.1:{port}"]);
        using var http = new HttpClient { BaseAddress = new Uri($"http://127.0.0.1:{port}") };
        string first = "";
        await Poll.Until(async () =>
        {
            Assert.False(app.HasExited, app.Output);
            try { first = await http.GetStringAsync("/time"); return true; }
            catch (HttpRequestException) { return false; }
        }, "the minimal API to answer", Within);
        Assert.Contains("Now listening on: http://127.0.0.1:" + port, app.Output);

        Assert.Equal(first, await http.GetStringAsync("/time")); // served from the output cache
        Assert.Equal("hello ann, first visit", await http.GetStringAsync("/hello/ann"));
        Assert.StartsWith("hello again ann, last seen at ", await http.GetStringAsync("/hello/ann"));
        var searches = new List<HttpStatusCode>();
        for (int i = 0; i < 7; i++) searches.Add((await http.GetAsync("/search?q=cache")).StatusCode);
        Assert.Equal([.. Enumerable.Repeat(HttpStatusCode.OK, 5), HttpStatusCode.TooManyRequests, HttpStatusCode.TooManyRequests], searches);

        await app.StopAsync(Within);
        output.WriteLine(app.Output);
        Assert.Equal(0, app.ExitCode);
    }
}
