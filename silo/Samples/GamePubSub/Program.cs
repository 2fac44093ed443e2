// Pub/sub between game servers and players: each game server publishes its match's events on "match:<id>"; a player
// subscribes to the match they watch, a spectator dashboard to every match at once with a pattern ("match:*").
// Messages arrive in the order their publisher sent them, and a PUBLISH answers how many subscribers got it.
//   dotnet run --project silo/Samples/GamePubSub
using Microsoft.Extensions.DependencyInjection;
using Orleans.Cache.PubSub;
using Orleans.Cache.Samples;

using var host = await EmbeddedSilo.StartAsync(args);
var pubsub = host.Services.GetRequiredService<ICachePubSub>();

// Subscribers first: a message reaches those subscribed when it is published.
var alice = await pubsub.SubscribeAsync("match:1");
var bob = await pubsub.SubscribeAsync("match:2");
var dashboard = await pubsub.SubscribePatternAsync("match:*");

// Two game servers play at the same time, each publishing its match's events.
string[][] matches =
[
    ["kick-off", "goal: red 1-0", "goal: blue 1-1", "goal: red 2-1", "full time: red wins 2-1"],
    ["kick-off", "goal: green 0-1", "full time: green wins 0-1"],
];
await Task.WhenAll(matches.Select(async (events, i) =>
{
    foreach (var e in events)
    {
        long received = await pubsub.PublishAsync($"match:{i + 1}", e);
        Console.WriteLine($"game server {i + 1} published \"{e}\" to {received} subscribers");
    }
}));

// Each subscriber reads what it got, in order (waiting at most 10 s for the last message to arrive).
using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(10));
foreach (var (name, subscription, expected) in new[] { ("alice (match:1)", alice, 5), ("bob (match:2)", bob, 3), ("dashboard (match:*)", dashboard, 8) })
{
    var got = new List<string>();
    while (got.Count < expected) got.Add(Describe(await subscription.Reader.ReadAsync(timeout.Token)));
    Console.WriteLine($"{name} received {got.Count}: {string.Join(" | ", got)}");
}

// Unsubscribe (dispose the subscriptions), then stop.
foreach (var subscription in new[] { alice, bob, dashboard }) await subscription.DisposeAsync();
await host.StopAsync();

static string Describe(CacheMessage m) => m.Pattern is null ? m.Text : $"{m.Channel}: {m.Text}";
