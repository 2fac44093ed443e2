using System.Reflection;
using System.Xml.Linq;

namespace Orleans.Cache.Tests;

/// <summary>
/// Layers point one way (README, "Layers"): Core ← Abstractions ← Execution ← Client, Grains and Resp; only the silo
/// host composes them. Checked on the compiled assemblies (what the code uses) and on the project files (what the
/// build lets it use), so a reference that points back fails here before it spreads.
/// </summary>
public sealed class LayeringTests
{
    private const string Core = "Orleans.Cache.Core", Abstractions = "Orleans.Cache.Abstractions", Execution = "Orleans.Cache.Execution",
        Client = "Orleans.Cache.Client", Grains = "Orleans.Cache.Grains", Resp = "Orleans.Cache.Resp", Silo = "Orleans.Cache.Silo",
        Server = "Orleans.Cache.Server", AspNetCore = "Orleans.Cache.AspNetCore", Testing = "Orleans.Cache.Testing";

    /// <summary>Every Orleans.Cache project and the Orleans.Cache projects it may reference.</summary>
    private static readonly Dictionary<string, string[]> Allowed = new()
    {
        [Core] = [],
        [Abstractions] = [Core],
        [Execution] = [Abstractions, Core],
        [Client] = [Execution, Abstractions, Core],
        [Grains] = [Execution, Abstractions, Core],
        [Resp] = [Execution, Abstractions, Core],
        [Silo] = [Grains, Client, Resp, Execution, Abstractions, Core],
        // The package a silo references: no code, only the references that make its package's dependencies.
        [Server] = [Grains, Client, Resp],
        // ASP.NET Core's interfaces on the typed client.
        [AspNetCore] = [Client, Execution, Abstractions, Core],
        // An app's tests: Orleans.Cache in an InProcessTestCluster (silo side, RESP endpoint and client).
        [Testing] = [Grains, Resp, Client, Execution, Abstractions, Core],
    };

    private static readonly Assembly[] Assemblies =
    [
        typeof(global::Orleans.Cache.Core.Reply).Assembly,
        typeof(global::Orleans.Cache.CacheOptions).Assembly,
        typeof(global::Orleans.Cache.Execution.ICommandExecutor).Assembly,
        typeof(global::Orleans.Cache.Client.ICache).Assembly,
        typeof(global::Orleans.Cache.Grains.PubSubHub).Assembly,
        typeof(global::Orleans.Cache.Resp.RespServer).Assembly,
        typeof(global::Orleans.Cache.Silo.SiloSettings).Assembly,
        typeof(global::Orleans.Cache.AspNetCore.CacheLocks).Assembly,
        typeof(global::Orleans.Cache.Testing.OrleansCacheTestOptions).Assembly,
    ];

    [Fact]
    public void Each_assembly_references_only_the_layers_below_it()
    {
        Assert.Equal(Allowed.Keys.Where(k => k != Server).Order(), Assemblies.Select(a => a.GetName().Name!).Order());
        var wrong = new List<string>();
        foreach (var assembly in Assemblies)
        {
            string name = assembly.GetName().Name!;
            foreach (var reference in assembly.GetReferencedAssemblies().Select(r => r.Name!))
                if (reference.StartsWith("Orleans.Cache.", StringComparison.Ordinal) && !Allowed[name].Contains(reference))
                    wrong.Add($"{name} → {reference}");
        }
        Assert.Empty(wrong);
    }

    [Fact]
    public void Core_references_no_Orleans_assembly()
    {
        var core = typeof(global::Orleans.Cache.Core.Reply).Assembly;
        Assert.DoesNotContain(core.GetReferencedAssemblies(), r => r.Name!.StartsWith("Orleans", StringComparison.Ordinal));
    }

    [Fact]
    public void Each_project_references_only_the_layers_below_it()
    {
        var root = RepositoryRoot();
        var samples = Path.Combine(root, "silo", "Samples");
        var all = Directory.GetFiles(Path.Combine(root, "src"), "*.csproj", SearchOption.AllDirectories)
            .Concat(Directory.GetFiles(Path.Combine(root, "silo"), "*.csproj", SearchOption.AllDirectories)).ToList();
        var projects = all.Where(p => !p.StartsWith(samples, StringComparison.Ordinal)).ToDictionary(p => Path.GetFileNameWithoutExtension(p), p => p);
        // A new project must say where it sits: add it to Allowed (and to the README's Layers note).
        Assert.Equal(Allowed.Keys.Order(), projects.Keys.Order());
        var wrong = new List<string>();
        foreach (var path in all)
        {
            string name = Path.GetFileNameWithoutExtension(path);
            // A sample is an app: it references the packages an app references, nothing below them.
            var allowed = projects.ContainsKey(name) ? Allowed[name] : [Server, AspNetCore];
            var references = XDocument.Load(path).Descendants("ProjectReference")
                .Select(r => Path.GetFileNameWithoutExtension(r.Attribute("Include")!.Value.Replace('\\', '/')));
            foreach (var reference in references)
                if (!allowed.Contains(reference)) wrong.Add($"{name} → {reference}");
        }
        Assert.Contains(all, p => p.StartsWith(samples, StringComparison.Ordinal));
        Assert.Empty(wrong);
    }

    private static string RepositoryRoot()
    {
        var dir = new DirectoryInfo(AppContext.BaseDirectory);
        while (dir is not null && !File.Exists(Path.Combine(dir.FullName, "Orleans.Cache.sln"))) dir = dir.Parent;
        return dir?.FullName ?? throw new InvalidOperationException("repository root not found");
    }
}
