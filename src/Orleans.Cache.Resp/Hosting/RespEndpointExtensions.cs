using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;

namespace Orleans.Cache.Resp;

/// <summary>Registration of the RESP endpoint in any generic host (a silo, a TestingHost silo, a plain host).</summary>
public static class RespEndpointExtensions
{
    /// <summary>Adds the RESP endpoint with <see cref="RespOptions"/> bound from <paramref name="section"/> (e.g. configuration's "Resp").</summary>
    public static IServiceCollection AddRespEndpoint(this IServiceCollection services, IConfiguration section)
    {
        services.AddOptions<RespOptions>().Bind(section);
        return services.AddRespEndpointCore();
    }

    /// <summary>Adds the RESP endpoint, configured in code. Needs an <c>ICommandExecutor</c> registered in the same container.</summary>
    public static IServiceCollection AddRespEndpoint(this IServiceCollection services, Action<RespOptions>? configure = null)
    {
        var options = services.AddOptions<RespOptions>();
        if (configure is not null) options.Configure(configure);
        return services.AddRespEndpointCore();
    }

    private static IServiceCollection AddRespEndpointCore(this IServiceCollection services)
    {
        foreach (var d in services) if (d.ServiceType == typeof(RespServer)) return services; // added already
        services.TryAddSingleton<RespServer>();
        services.AddHostedService(sp => sp.GetRequiredService<RespServer>());
        return services;
    }
}
