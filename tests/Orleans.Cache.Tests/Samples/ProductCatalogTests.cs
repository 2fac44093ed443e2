using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Time.Testing;
using Orleans.Cache.Client;
using Orleans.TestingHost;
using StackExchange.Redis;

namespace Orleans.Cache.Tests.Samples;

/// <summary>
/// How an app tests its own cache code with Orleans.Cache.Testing (README, "Testing your app"), written as the app's
/// team would, with public APIs only: the app's <see cref="ProductCatalog"/> reads products cache-aside, and these tests
/// run it on a 3-silo <see cref="InProcessTestCluster"/> whose partitions read a clock the test advances.
/// </summary>
public sealed class ProductCatalogTests : IAsyncLifetime
{
    // ---- The app's code under test ----

    public sealed record Product(int Id, string Name, decimal Price);

    public interface IProductDatabase
    {
        Task<Product> LoadAsync(int id, CancellationToken cancellationToken);
    }

    /// <summary>The app's catalog: a product is read from the database once, then from the cache for 10 minutes.</summary>
    public sealed class ProductCatalog(ICache cache, IProductDatabase database)
    {
        public static readonly TimeSpan Ttl = TimeSpan.FromMinutes(10);

        public Task<Product> GetAsync(int id) => cache.GetOrSetAsync($"product:{id}", ct => database.LoadAsync(id, ct), Ttl);
    }

    // ---- The tests ----

    /// <summary>The database the test controls: it counts its loads, and a price can change under the cache.</summary>
    private sealed class FakeDatabase : IProductDatabase
    {
        private int _loads;
        public int Loads => _loads;
        public decimal Price { get; set; } = 10m;

        public Task<Product> LoadAsync(int id, CancellationToken cancellationToken)
        {
            Interlocked.Increment(ref _loads);
            return Task.FromResult(new Product(id, $"product {id}", Price));
        }
    }

    private InProcessTestCluster _cluster = null!;
    private FakeTimeProvider _clock = null!;
    private readonly FakeDatabase _database = new();
    private ProductCatalog _catalog = null!;

    public async Task InitializeAsync()
    {
        var builder = new InProcessTestClusterBuilder(3);
        _clock = builder.AddOrleansCache(o => o.RespEndpoint = true); // silos, client, the clock; RESP for StackExchange.Redis
        _cluster = builder.Build();
        await _cluster.DeployAsync();
        // The app as an Orleans client of the cluster (in a silo, it would take the silo's ICache the same way).
        _catalog = new ProductCatalog(_cluster.Client.ServiceProvider.GetRequiredService<ICache>(), _database);
    }

    public async Task DisposeAsync() => await _cluster.DisposeAsync();

    [Fact]
    public async Task A_product_is_loaded_once_and_a_price_change_shows_when_the_cached_entry_expires()
    {
        Assert.Equal(10m, (await _catalog.GetAsync(7)).Price);
        Assert.Equal(10m, (await _catalog.GetAsync(7)).Price);
        Assert.Equal(1, _database.Loads);

        _database.Price = 12m;
        _clock.Advance(ProductCatalog.Ttl - TimeSpan.FromSeconds(1)); // not yet: still the cached price
        Assert.Equal(10m, (await _catalog.GetAsync(7)).Price);
        _clock.Advance(TimeSpan.FromSeconds(2));                      // expired: loaded again
        Assert.Equal(12m, (await _catalog.GetAsync(7)).Price);
        Assert.Equal(2, _database.Loads);
    }

    [Fact]
    public async Task The_catalog_answers_through_a_killed_silo()
    {
        for (int id = 1; id <= 30; id++) await _catalog.GetAsync(id);
        Assert.Equal(30, _database.Loads);

        await _cluster.KillSiloAsync(_cluster.Silos[1]);

        // Every product still answers, right. The dead silo's partitions are taken over by their replicas; a product whose
        // last write had not reached its replica yet is at worst loaded again.
        for (int id = 1; id <= 30; id++) Assert.Equal($"product {id}", (await _catalog.GetAsync(id)).Name);
        Assert.InRange(_database.Loads, 30, 60);
    }

    [Fact]
    public async Task Code_that_talks_StackExchange_Redis_sees_the_same_keys_and_the_same_clock()
    {
        await using var redis = await ConnectionMultiplexer.ConnectAsync(_cluster.Silos[0].GetRespEndPoint().ToString());
        var db = redis.GetDatabase();

        await _catalog.GetAsync(3);
        Assert.InRange((await db.KeyTimeToLiveAsync("product:3"))!.Value, ProductCatalog.Ttl - TimeSpan.FromSeconds(1), ProductCatalog.Ttl);

        await db.StringSetAsync("banner", "sale!", TimeSpan.FromMinutes(1));
        _clock.Advance(TimeSpan.FromMinutes(1) + TimeSpan.FromSeconds(1));
        Assert.False(await db.KeyExistsAsync("banner"));
        Assert.True(await db.KeyExistsAsync("product:3")); // its 10 minutes are not over
    }
}
