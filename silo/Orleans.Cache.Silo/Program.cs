// The Orleans.Cache silo: one process that hosts partition grains and the RESP endpoint for Redis clients.
// Configuration, in increasing precedence: appsettings.json, environment variables (Cache__Partitions=32),
// the command line (--Cache:Partitions 32), and redis-server style flags (--port 6380, --bind 0.0.0.0).
using Orleans.Cache.Resp;
using Orleans.Cache.Silo;

var builder = Host.CreateApplicationBuilder(args);
builder.Configuration.AddCommandLine(args, SiloSettings.RedisStyleFlags);

var settings = builder.Configuration.GetSection(SiloSettings.Section).Get<SiloSettings>() ?? new SiloSettings();

builder.UseOrleans(silo =>
{
    // Embedded default: a single-machine cluster that needs no set-up.
    silo.UseLocalhostClustering(settings.SiloPort, settings.GatewayPort, settings.PrimarySiloEndpoint);
    silo.Configure<Orleans.Configuration.ClusterOptions>(o => { o.ClusterId = settings.ClusterId; o.ServiceId = settings.ServiceId; });
    silo.AddOrleansCache(builder.Configuration);
});

// Redis clients (redis-cli, StackExchange.Redis, redis-benchmark …) connect here.
builder.Services.AddRespEndpoint(builder.Configuration.GetSection("Resp"));

var host = builder.Build();
var log = host.Services.GetRequiredService<ILoggerFactory>().CreateLogger("Orleans.Cache.Silo");
host.Services.GetRequiredService<IHostApplicationLifetime>().ApplicationStarted.Register(() =>
    SiloLog.Ready(log, settings.ClusterId, settings.SiloPort, host.Services.GetRequiredService<Microsoft.Extensions.Options.IOptions<Orleans.Cache.CacheOptions>>().Value.Partitions));
await host.RunAsync();
