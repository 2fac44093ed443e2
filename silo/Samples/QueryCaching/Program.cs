// Cache-aside for an expensive query: "the 10 best-selling products of the last 30 days" aggregates every order in a
// PostgreSQL table. Uncached, every request runs it, and under load the requests queue for the database's CPU. With
// ICache.GetOrSetAsync the first request runs it (callers arriving meanwhile wait for that one result, anywhere in the
// cluster) and every request until the TTL ends reads the result from the cache.
//   dotnet run --project silo/Samples/QueryCaching -- --connection "Host=127.0.0.1;Username=postgres;Database=postgres"
//   (options: --rows 500000 orders generated into the table "orders", --clients 50 concurrent clients)
using System.Diagnostics;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Npgsql;
using Orleans.Cache.Client;
using Orleans.Cache.Samples;

using var host = await EmbeddedSilo.StartAsync(args);
var cache = host.Services.GetRequiredService<ICache>();
var settings = host.Services.GetRequiredService<IConfiguration>();
string connection = settings["connection"] ?? throw new ArgumentException("usage: --connection \"<Npgsql connection string>\"");
int rows = settings.GetValue("rows", 500_000), clients = settings.GetValue("clients", 50);

await using var db = NpgsqlDataSource.Create(connection);
var clock = Stopwatch.StartNew();
await CreateOrdersAsync(db, rows);
Console.WriteLine($"orders: {rows:N0} rows in PostgreSQL (ready in {clock.Elapsed.TotalSeconds:F1} s)");

long queries = 0;
async Task<TopProduct[]> QueryAsync(CancellationToken ct)
{
    Interlocked.Increment(ref queries);
    await using var query = db.CreateCommand("""
        SELECT product, sum(quantity * price) AS revenue FROM orders
        WHERE ordered_at > now() - interval '30 days'
        GROUP BY product ORDER BY revenue DESC LIMIT 10
        """);
    await using var reader = await query.ExecuteReaderAsync(ct);
    var top = new List<TopProduct>();
    while (await reader.ReadAsync(ct)) top.Add(new TopProduct(reader.GetInt32(0), reader.GetDecimal(1)));
    return [.. top];
}
// What the app's request handler calls: the cached report, or the query's result stored for a minute.
Task<TopProduct[]> CachedAsync(CancellationToken ct) => cache.GetOrSetAsync("report:top-products:30d", QueryAsync, TimeSpan.FromMinutes(1), cancellationToken: ct);

var best = (await QueryAsync(default))[0];
Console.WriteLine($"the query: top 10 products by revenue over 30 days (#1 is product {best.Product}, {best.Revenue:N2})");
Print("uncached, 1 client", await MeasureAsync(1, 5, QueryAsync));
Print($"uncached, {clients} concurrent clients", await MeasureAsync(clients, 2, QueryAsync));
long before = queries;
var cold = await MeasureAsync(clients, 1, CachedAsync);
Console.WriteLine($"cache-aside, {clients} concurrent clients on a cold key: {queries - before} query ran, the others waited for its result (median {Ms(cold[cold.Length / 2])})");
before = queries;
Print($"cached, {clients} concurrent clients", await MeasureAsync(clients, 200, CachedAsync));
Console.WriteLine($"queries while cached: {queries - before}");

await host.StopAsync();

// Each of `clients` concurrent clients sends `each` requests one after another; the latency of every request, sorted.
static async Task<double[]> MeasureAsync<T>(int clients, int each, Func<CancellationToken, Task<T>> request)
{
    var latencies = await Task.WhenAll(Enumerable.Range(0, clients).Select(_ => Task.Run(async () =>
    {
        var mine = new double[each];
        for (int i = 0; i < each; i++)
        {
            long start = Stopwatch.GetTimestamp();
            await request(default);
            mine[i] = Stopwatch.GetElapsedTime(start).TotalMilliseconds;
        }
        return mine;
    })));
    return [.. latencies.SelectMany(l => l).Order()];
}

static void Print(string what, double[] sorted) =>
    Console.WriteLine($"{what + ":",-34} median {Ms(sorted[sorted.Length / 2]),10}   p99 {Ms(sorted[(int)(sorted.Length * 0.99)]),10}   ({sorted.Length:N0} requests)");

static string Ms(double ms) => ms < 1 ? $"{ms:F3} ms" : $"{ms:N1} ms";

// The table the report reads: `rows` generated orders over the last year, made once (again when --rows changes).
static async Task CreateOrdersAsync(NpgsqlDataSource db, int rows)
{
    await using (var create = db.CreateCommand("""
        CREATE TABLE IF NOT EXISTS orders (id bigint PRIMARY KEY, product int NOT NULL, quantity int NOT NULL,
                                           price numeric(10, 2) NOT NULL, ordered_at timestamptz NOT NULL)
        """)) await create.ExecuteNonQueryAsync();
    await using (var count = db.CreateCommand("SELECT count(*) FROM orders"))
        if ((long)(await count.ExecuteScalarAsync())! == rows) return;
    await using var fill = db.CreateCommand($"""
        TRUNCATE orders;
        INSERT INTO orders SELECT g, (g * 7919) % 1000, 1 + g % 5, 5 + (g * 31) % 200, now() - (g % 365) * interval '1 day'
        FROM generate_series(1::bigint, {rows}) AS g;
        ANALYZE orders;
        """);
    await fill.ExecuteNonQueryAsync();
}

/// <summary>A row of the report (the cache stores the report as JSON).</summary>
internal sealed record TopProduct(int Product, decimal Revenue);
