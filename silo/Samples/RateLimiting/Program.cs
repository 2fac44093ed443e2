// Rate limiting shared by every instance of an app: .NET's PartitionedRateLimiter with Orleans.Cache's limiters
// (Orleans.Cache.AspNetCore). Each instance builds its own limiter, as each server process would; every decision is one
// script in the partition of the limiter's key, so all instances count against one limit per user.
//   dotnet run --project silo/Samples/RateLimiting
using System.Threading.RateLimiting;
using Microsoft.Extensions.DependencyInjection;
using Orleans.Cache.AspNetCore;
using Orleans.Cache.Client;
using Orleans.Cache.Samples;

using var host = await EmbeddedSilo.StartAsync(args);
var cache = host.Services.GetRequiredService<ICache>();

// Login attempts: 5 per user per 15 minutes (fixed window), whichever instance the attempts reach.
PartitionedRateLimiter<string> LoginLimiter() => PartitionedRateLimiter.Create<string, string>(user =>
    CacheRateLimitPartition.GetFixedWindowLimiter(user, _ => new CacheFixedWindowRateLimiterOptions
    {
        Cache = cache, PermitLimit = 5, Window = TimeSpan.FromMinutes(15),
    }));
// The API: a bucket of 20 requests per API key, refilled by 10 every second (bursts allowed, a steady rate kept).
PartitionedRateLimiter<string> ApiLimiter() => PartitionedRateLimiter.Create<string, string>(apiKey =>
    CacheRateLimitPartition.GetTokenBucketLimiter(apiKey, _ => new CacheTokenBucketRateLimiterOptions
    {
        Cache = cache, TokenLimit = 20, TokensPerPeriod = 10, ReplenishmentPeriod = TimeSpan.FromSeconds(1),
    }));
PartitionedRateLimiter<string>[] logins = [LoginLimiter(), LoginLimiter(), LoginLimiter()];
PartitionedRateLimiter<string>[] apis = [ApiLimiter(), ApiLimiter(), ApiLimiter()];

// An attacker tries 30 passwords for alice, spread over the three instances; bob logs in once.
var attempts = await Task.WhenAll(Enumerable.Range(0, 30).Select(i => logins[i % 3].AcquireAsync("alice").AsTask()));
Print("login attempts for alice (5 per 15 min)", attempts);
Print("login attempts for bob", [await logins[1].AcquireAsync("bob")]);

// A client fires 100 API calls at once, spread over the three instances.
var calls = await Task.WhenAll(Enumerable.Range(0, 100).Select(i => apis[i % 3].AcquireAsync("key-123").AsTask()));
Print("API calls with key-123 (bucket of 20)", calls);

await host.StopAsync();

static void Print(string what, RateLimitLease[] leases)
{
    var refused = leases.Where(l => !l.IsAcquired).ToArray();
    string retry = refused.Length > 0 && refused[0].TryGetMetadata(MetadataName.RetryAfter, out var after) ? $", retry after {after.TotalSeconds:N0} s" : "";
    Console.WriteLine($"{what}: {leases.Length - refused.Length} of {leases.Length} allowed, {refused.Length} refused{retry}");
}
