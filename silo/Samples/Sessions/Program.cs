// Sessions for stateless web servers: a session is a hash under session:<id> (user, cart lines) with a TTL that every
// request pushes back (sliding expiration). Two web servers share nothing but the cache, so a "load balancer" may send
// each request to either, and either can be restarted or scaled out without logging anyone out.
//   dotnet run --project silo/Samples/Sessions
using System.Net;
using Microsoft.Extensions.DependencyInjection;
using Orleans.Cache.Client;
using Orleans.Cache.Samples;

var idle = TimeSpan.FromMinutes(20); // a session idle this long is gone

using var silo = await EmbeddedSilo.StartAsync(args);
var cache = silo.Services.GetRequiredService<ICache>();
await using var a = await StartWebServerAsync(cache, idle);
await using var b = await StartWebServerAsync(cache, idle);
Console.WriteLine($"web servers A on {a.Urls.First()} and B on {b.Urls.First()}: no session state in either");

// The browser: its cookie goes with every request, to whichever server the load balancer picks.
using var browser = new HttpClient(new HttpClientHandler { CookieContainer = new CookieContainer() });
async Task Send(WebApplication server, HttpMethod method, string path)
{
    using var response = await browser.SendAsync(new HttpRequestMessage(method, server.Urls.First() + path));
    string name = server == a ? "A" : "B";
    Console.WriteLine($"{method,-4} {name} {path,-22} -> {(int)response.StatusCode} {await response.Content.ReadAsStringAsync()}");
}

await Send(a, HttpMethod.Post, "/login?user=alice");
await Send(b, HttpMethod.Post, "/cart?item=book");
await Send(a, HttpMethod.Post, "/cart?item=pen");
await Send(b, HttpMethod.Post, "/cart?item=book");
await Send(a, HttpMethod.Get, "/me");
await foreach (var key in cache.ScanAsync("session:*"))
    Console.WriteLine($"in the cache: {key} = {string.Join(", ", (await cache.HashGetAllAsync(key)).Select(f => $"{f.Key}={f.Value}"))}; " +
                      $"TTL {(await cache.TimeToLiveAsync(key))!.Value.TotalMinutes:F1} min");
await Send(b, HttpMethod.Post, "/logout");
await Send(a, HttpMethod.Get, "/me");
await Send(b, HttpMethod.Post, "/cart?item=pen");

await silo.StopAsync();

// One web server: all it keeps is a reference to the cache.
static async Task<WebApplication> StartWebServerAsync(ICache cache, TimeSpan idle)
{
    var builder = WebApplication.CreateSlimBuilder();
    builder.Logging.ClearProviders();
    builder.WebHost.UseUrls("http://127.0.0.1:0");
    var app = builder.Build();

    app.MapPost("/login", async (string user, HttpResponse response) =>
    {
        string id = Guid.NewGuid().ToString("N");
        // The hash and its TTL in one transaction: a session never exists without its expiry.
        var create = cache.CreateTransaction();
        _ = create.HashSetAsync($"session:{id}", [new("user", user), new("since", DateTimeOffset.UtcNow.ToString("u"))]);
        _ = create.ExpireAsync($"session:{id}", idle);
        await create.ExecuteAsync();
        response.Cookies.Append("session", id, new CookieOptions { HttpOnly = true });
        return $"welcome {user}";
    });
    app.MapPost("/cart", async (string item, HttpRequest request) =>
    {
        // Only into a session that exists (the transaction's condition), never into a new hash without a TTL.
        string key = $"session:{request.Cookies["session"]}";
        var add = cache.CreateTransaction();
        add.AddCondition(CacheCondition.KeyExists(key));
        var count = add.HashIncrementAsync(key, $"cart:{item}");
        _ = add.ExpireAsync(key, idle);
        return await add.ExecuteAsync() ? Results.Text($"{await count} × {item} in the cart") : Results.Unauthorized();
    });
    app.MapGet("/me", async (HttpRequest request) =>
    {
        if (await SessionAsync(request) is not { } key) return Results.Unauthorized();
        var session = await cache.HashGetAllAsync(key);
        if (!session.TryGetValue("user", out var user)) return Results.Unauthorized(); // logged out meanwhile
        var cart = session.Where(f => f.Key.StartsWith("cart:", StringComparison.Ordinal)).Select(f => $"{f.Value} × {f.Key[5..]}");
        return Results.Text($"{user}, cart: {string.Join(", ", cart)}");
    });
    app.MapPost("/logout", async (HttpRequest request) =>
        await SessionAsync(request) is { } key && await cache.DeleteAsync(key) ? Results.Text("bye") : Results.Unauthorized());
    await app.StartAsync();
    return app;

    // The request's session key, its idle timer restarted (EXPIRE answers false when the session is gone).
    async Task<string?> SessionAsync(HttpRequest request) =>
        request.Cookies["session"] is { } id && await cache.ExpireAsync($"session:{id}", idle) ? $"session:{id}" : null;
}
