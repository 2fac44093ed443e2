// An ASP.NET Core minimal API with Orleans.Cache in the same process: the Orleans.Cache.AspNetCore package gives it
// IDistributedCache, the output cache's store and a rate limiter shared by every instance of the app.
//   dotnet run --project silo/Samples/MinimalApi
//   curl localhost:5000/time   (the same answer for 10 s)      curl localhost:5000/hello/ann   (remembers ann)
//   curl localhost:5000/search?q=cache   (the 6th search within 10 s answers 429)
using Microsoft.Extensions.Caching.Distributed;
using Orleans.Cache.AspNetCore;
using Orleans.Cache.Client;
using Orleans.Cache.Samples;

var builder = WebApplication.CreateBuilder(args);
builder.AddEmbeddedSilo();                                                      // Orleans.Cache in this process
builder.Logging.AddFilter("Microsoft.Hosting.Lifetime", LogLevel.Information);  // "Now listening on: …"
builder.Services.AddOrleansCacheDistributedCache();                             // IDistributedCache (HybridCache's L2 too)
builder.Services.AddOutputCache().AddOrleansCacheOutputCache();                 // cached responses kept in Orleans.Cache
builder.Services.AddRateLimiter(limiter =>
{
    limiter.RejectionStatusCode = StatusCodes.Status429TooManyRequests;
    limiter.AddPolicy("search", http => CacheRateLimitPartition.GetFixedWindowLimiter($"search:{http.Connection.RemoteIpAddress}",
        _ => new CacheFixedWindowRateLimiterOptions
        {
            Cache = http.RequestServices.GetRequiredService<ICache>(), PermitLimit = 5, Window = TimeSpan.FromSeconds(10),
        }));
});

var app = builder.Build();
app.UseRateLimiter();
app.UseOutputCache();

// Made once per 10 s: the first response is stored in Orleans.Cache, the next ones are served from there.
app.MapGet("/time", () => $"made at {DateTimeOffset.UtcNow:HH:mm:ss.fff}").CacheOutput(p => p.Expire(TimeSpan.FromSeconds(10)));
// A visitor is remembered until 20 minutes without a visit (IDistributedCache, sliding expiration).
app.MapGet("/hello/{name}", async (string name, IDistributedCache cache) =>
{
    string? last = await cache.GetStringAsync($"seen:{name}");
    await cache.SetStringAsync($"seen:{name}", $"{DateTimeOffset.UtcNow:HH:mm:ss.fff}",
        new DistributedCacheEntryOptions { SlidingExpiration = TimeSpan.FromMinutes(20) });
    return last is null ? $"hello {name}, first visit" : $"hello again {name}, last seen at {last}";
});
// At most 5 searches per client per 10 s, counted across every instance of the app.
app.MapGet("/search", (string q) => $"results for '{q}'").RequireRateLimiting("search");

app.Run();
