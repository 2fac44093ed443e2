// A flash sale: 100,000 buyers press "buy" within seconds for 1,000 items. The cache decides who gets one: a Lua script
// checks and takes stock in one atomic step in the partition of the sale's keys, so the stock never goes below zero, a
// buyer who presses twice gets one item, and the orders database sees only the winners' orders.
//   dotnet run --project silo/Samples/FlashSale [-- --buyers 100000 --stock 1000]
using System.Collections.Concurrent;
using System.Diagnostics;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Orleans.Cache.Client;
using Orleans.Cache.Samples;

using var host = await EmbeddedSilo.StartAsync(args);
var cache = host.Services.GetRequiredService<ICache>();
var settings = host.Services.GetRequiredService<IConfiguration>();
int buyers = settings.GetValue("buyers", 100_000), stock = settings.GetValue("stock", 1_000);

// The sale's two keys share a {hash tag}, so they live in one partition and one script may touch both.
const string Stock = "sale:{42}:stock", Winners = "sale:{42}:winners";
// KEYS[1] stock, KEYS[2] the set of winners; ARGV[1] the buyer. Answers 1 (bought), 0 (sold out), -1 (bought already).
const string Buy = """
    if redis.call('SISMEMBER', KEYS[2], ARGV[1]) == 1 then return -1 end
    if tonumber(redis.call('GET', KEYS[1]) or '0') <= 0 then return 0 end
    redis.call('DECR', KEYS[1])
    redis.call('SADD', KEYS[2], ARGV[1])
    return 1
    """;
await cache.SetAsync(Stock, stock.ToString());

// Every buyer presses once; every tenth presses twice.
var clicks = Enumerable.Range(0, buyers).SelectMany(b => b % 10 == 0 ? new[] { b, b } : [b]).ToArray();
var orders = new OrdersTable();
long bought = 0, soldOut = 0, twice = 0;
var clock = Stopwatch.StartNew();
await Parallel.ForEachAsync(clicks, new ParallelOptions { MaxDegreeOfParallelism = 64 }, async (buyer, _) =>
{
    switch ((await cache.ExecuteAsync("EVAL", Buy, 2, Stock, Winners, $"buyer:{buyer}")).Integer)
    {
        case 1: Interlocked.Increment(ref bought); await orders.InsertAsync($"buyer:{buyer}"); break; // only now the database
        case 0: Interlocked.Increment(ref soldOut); break;
        default: Interlocked.Increment(ref twice); break;
    }
});
clock.Stop();

Console.WriteLine($"{buyers:N0} buyers, {clicks.Length:N0} clicks, {stock:N0} items: done in {clock.Elapsed.TotalSeconds:F1} s ({clicks.Length / clock.Elapsed.TotalSeconds:N0} clicks/s)");
Console.WriteLine($"bought: {bought:N0}, sold out: {soldOut:N0}, pressed again after buying: {twice:N0}");
Console.WriteLine($"stock left in the cache: {await cache.GetStringAsync(Stock)}; winners in the cache: {(await cache.SetMembersAsync(Winners)).Length:N0}");
Console.WriteLine($"orders table: {orders.Count:N0} rows from {orders.Inserts:N0} INSERTs, one per winner; oversold: {(orders.Count > stock ? "YES" : "no")}");

await host.StopAsync();

/// <summary>
/// IN-MEMORY STAND-IN for the shop's orders table (a real app INSERTs into its database here). It counts the INSERTs it
/// receives and, like a primary key would, refuses a second order for the same buyer.
/// </summary>
internal sealed class OrdersTable
{
    private readonly ConcurrentDictionary<string, DateTimeOffset> _rows = new();
    private long _inserts;

    public int Count => _rows.Count;
    public long Inserts => Interlocked.Read(ref _inserts);

    public Task InsertAsync(string buyer)
    {
        Interlocked.Increment(ref _inserts);
        if (!_rows.TryAdd(buyer, DateTimeOffset.UtcNow)) throw new InvalidOperationException($"duplicate order for {buyer}");
        return Task.CompletedTask;
    }
}
