// Shared by every sample (linked into each project): the one-silo Orleans cluster a sample runs in.
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Orleans.Hosting;

namespace Orleans.Cache.Samples;

/// <summary>Orleans.Cache co-hosted in this process: a one-silo cluster on this machine and the typed <c>ICache</c> beside it.</summary>
internal static class EmbeddedSilo
{
    /// <summary>
    /// Adds the silo to an app (a console host or a web app). Its ports come from <c>--Silo:SiloPort</c> and
    /// <c>--Silo:GatewayPort</c> (default 11111 and 30000, as the silo host's); snapshots are off, so every run starts empty.
    /// </summary>
    public static void AddEmbeddedSilo(this IHostApplicationBuilder builder)
    {
        var ports = builder.Configuration.GetSection("Silo");
        builder.UseOrleans(silo => silo
            .UseLocalhostClustering(ports.GetValue("SiloPort", 11111), ports.GetValue("GatewayPort", 30000))
            .AddOrleansCache(builder.Configuration, configureSnapshots: o => o.Storage = "None")
            .Services.AddOrleansCacheClient()); // ICache: commands for this silo's partitions run on the caller's thread
        // Orleans's start-up lines would bury what the sample prints. Its watchdog warns of a stalled thread for minutes
        // in a process seconds old, now and then at start-up (Orleans 10.4): not a warning a sample's reader can act on.
        builder.Logging.SetMinimumLevel(LogLevel.Warning);
        builder.Logging.AddFilter("Orleans.Runtime.Watchdog", LogLevel.Error);
    }

    /// <summary>Starts a console host with the silo; <c>host.Services</c> has <c>ICache</c>. Stop it with <c>StopAsync</c>.</summary>
    public static async Task<IHost> StartAsync(string[] args)
    {
        var builder = Host.CreateApplicationBuilder(args);
        builder.AddEmbeddedSilo();
        var host = builder.Build();
        await host.StartAsync();
        return host;
    }
}
