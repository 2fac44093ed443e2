// A game's leaderboard: one sorted set, member = player, score = points. ZADD records scores, ZINCRBY adds a game's
// points, ZREVRANK answers "what is my place", ZRANGE … REV pages the board. Each is O(log N) at any size.
//   dotnet run --project silo/Samples/Leaderboard [-- --players 100000 --games 20000]
using System.Diagnostics;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Orleans.Cache.Client;
using Orleans.Cache.Samples;

using var host = await EmbeddedSilo.StartAsync(args);
var cache = host.Services.GetRequiredService<ICache>();
var settings = host.Services.GetRequiredService<IConfiguration>();
int players = settings.GetValue("players", 100_000), games = settings.GetValue("games", 20_000);
const string Board = "leaderboard:season-1";
var random = new Random(42); // the same board every run

// The season so far: every player's score, 1,000 players per ZADD.
var clock = Stopwatch.StartNew();
foreach (var page in Enumerable.Range(0, players).Chunk(1000))
    await cache.SortedSetAddAsync(Board, page.Select(p => new ScoredMember($"player:{p}", random.Next(10_000))));
Console.WriteLine($"{players:N0} players loaded in {clock.Elapsed.TotalSeconds:F1} s");

// Games end on many game servers at once: each winner's score goes up by 25 (ZINCRBY is atomic, so none is lost).
var winners = Enumerable.Range(0, games).Select(_ => $"player:{random.Next(players)}").ToArray();
clock.Restart();
await Parallel.ForEachAsync(winners, async (winner, ct) => await cache.SortedSetIncrementAsync(Board, winner, 25, ct));
Console.WriteLine($"{games:N0} game results (ZINCRBY) in {clock.Elapsed.TotalSeconds:F1} s");

Console.WriteLine("Top 10:");
var top = await cache.SortedSetRangeAsync(Board, 0, 9, descending: true);
for (int i = 0; i < top.Length; i++) Console.WriteLine($"  #{i + 1,-3} {top[i].Member,-14} {top[i].Score,6:N0}");

// One player's place, and the players just above and below (a page of the board around them).
string me = $"player:{players / 2}";
long rank = (await cache.SortedSetRankAsync(Board, me, descending: true))!.Value;
Console.WriteLine($"{me} is #{rank + 1:N0} of {players:N0}; around them:");
var around = await cache.SortedSetRangeAsync(Board, Math.Max(0, rank - 2), rank + 2, descending: true);
for (int i = 0; i < around.Length; i++)
    Console.WriteLine($"  #{Math.Max(0, rank - 2) + i + 1,-7:N0} {around[i].Member,-14} {around[i].Score,6:N0}{(around[i].Member == me ? "  <- you" : "")}");

// What a "my rank" request costs: ZREVRANK of random players, one after another.
clock.Restart();
for (int i = 0; i < 1000; i++) await cache.SortedSetRankAsync(Board, $"player:{random.Next(players)}", descending: true);
Console.WriteLine($"ZREVRANK: {clock.Elapsed.TotalMilliseconds / 1000:F3} ms per lookup on a board of {players:N0}");

await host.StopAsync();
