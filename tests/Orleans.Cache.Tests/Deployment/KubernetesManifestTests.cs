using k8s;
using k8s.Models;
using Orleans.Cache.Core.Config;

namespace Orleans.Cache.Tests.Deployment;

/// <summary>
/// The shipped Kubernetes manifest and Dockerfile, parsed with the Kubernetes client's model types, so what they lock
/// down cannot rot: a password from a Secret the manifest does not ship, non-root and read-only containers, memory
/// limits matched to maxmemory, a readiness probe that asks the silo, a headless Service, a PodDisruptionBudget,
/// anti-affinity, and a NetworkPolicy that keeps the Orleans ports to the silos.
/// </summary>
public sealed class KubernetesManifestTests
{
    private static readonly string SiloDir = Path.Combine(RepoRoot(), "silo", "Orleans.Cache.Silo");
    private static readonly List<object> Objects = KubernetesYaml.LoadAllFromString(File.ReadAllText(Path.Combine(SiloDir, "deploy", "kubernetes.yaml")));

    private static T One<T>() => Assert.Single(Objects.OfType<T>());

    private static V1StatefulSet Silos => One<V1StatefulSet>();
    private static V1Container Silo => Assert.Single(Silos.Spec.Template.Spec.Containers);

    [Fact]
    public void The_password_comes_from_a_secret_the_manifest_does_not_ship()
    {
        Assert.Empty(Objects.OfType<V1Secret>()); // no placeholder password that would work
        var password = Assert.Single(Silo.Env, e => e.Name == "Resp__RequirePass");
        Assert.Null(password.Value);
        Assert.Equal("password", password.ValueFrom.SecretKeyRef.Key);
        Assert.False(password.ValueFrom.SecretKeyRef.Optional ?? false);
        Assert.DoesNotContain(Silo.Env, e => e.Value is { } v && v.Contains("Password=", StringComparison.OrdinalIgnoreCase));
    }

    [Fact]
    public void Silos_talk_mutual_TLS_with_the_certificate_of_a_secret_the_manifest_does_not_ship()
    {
        var certificate = Assert.Single(Silo.Env, e => e.Name == "Silo__Tls__Certificate").Value;
        var key = Assert.Single(Silo.Env, e => e.Name == "Silo__Tls__Key").Value;
        Assert.DoesNotContain(Silo.Env, e => e.Name == "Silo__Tls__Insecure");
        // Both files come from a required Secret volume mounted read-only where the settings point.
        var mount = Assert.Single(Silo.VolumeMounts, m => certificate.StartsWith(m.MountPath + "/", StringComparison.Ordinal));
        Assert.StartsWith(mount.MountPath + "/", key);
        Assert.True(mount.ReadOnlyProperty);
        var secret = Assert.Single(Silos.Spec.Template.Spec.Volumes, v => v.Name == mount.Name).Secret;
        Assert.NotNull(secret);
        Assert.False(secret.Optional ?? false);
        Assert.Empty(Objects.OfType<V1Secret>());
    }

    [Fact]
    public void Containers_run_as_non_root_on_a_read_only_root_with_no_capabilities()
    {
        var pod = Silos.Spec.Template.Spec.SecurityContext;
        Assert.True(pod.RunAsNonRoot);
        Assert.NotEqual(0, pod.RunAsUser);
        var container = Silo.SecurityContext;
        Assert.True(container.ReadOnlyRootFilesystem);
        Assert.False(container.AllowPrivilegeEscalation);
        Assert.Equal(["ALL"], container.Capabilities.Drop);
        // The one writable place is a small in-memory /tmp.
        var tmp = Assert.Single(Silo.VolumeMounts, m => m.MountPath == "/tmp");
        Assert.NotNull(Assert.Single(Silos.Spec.Template.Spec.Volumes, v => v.Name == tmp.Name).EmptyDir);
    }

    [Fact]
    public void Memory_requests_and_limits_match_maxmemory()
    {
        var resources = Silo.Resources;
        long limit = resources.Limits["memory"].ToInt64();
        Assert.Equal(limit, resources.Requests["memory"].ToInt64());
        var conf = One<V1ConfigMap>().Data["redis.conf"];
        var line = Assert.Single(conf.Split('\n'), l => l.StartsWith("maxmemory ", StringComparison.Ordinal));
        Assert.True(ConfigParam.TryMemory(line["maxmemory ".Length..].Trim(), out ulong maxmemory));
        // maxmemory leaves the runtime room under the limit, and is not so small that the limit is mostly waste.
        Assert.InRange((double)maxmemory / limit, 0.6, 0.8);
        Assert.Contains(Silo.Env, e => e.Name == "Resp__ConfigFile" && e.Value == "/etc/orleans-cache/redis.conf");
    }

    [Fact]
    public void Readiness_asks_the_silo_whether_it_serves()
    {
        var probe = Silo.ReadinessProbe;
        Assert.Null(probe.TcpSocket); // an open port is not a serving silo
        Assert.Equal("/health/ready", probe.HttpGet.Path);
        string port = probe.HttpGet.Port.Value;
        Assert.Contains(Silo.Env, e => e.Name == "Silo__HttpPort" && e.Value == port);
    }

    [Fact]
    public void The_stateful_set_has_a_headless_service_a_disruption_budget_and_anti_affinity()
    {
        var headless = Assert.Single(Objects.OfType<V1Service>(), s => s.Metadata.Name == Silos.Spec.ServiceName);
        Assert.Equal("None", headless.Spec.ClusterIP);
        Assert.Contains(headless.Spec.Ports, p => p.Port == 11111);

        var budget = One<V1PodDisruptionBudget>();
        Assert.Equal(1, budget.Spec.MaxUnavailable.Value is { } v ? int.Parse(v) : -1);
        Assert.Equal("orleans-cache", budget.Spec.Selector.MatchLabels["app"]);

        var anti = Silos.Spec.Template.Spec.Affinity.PodAntiAffinity.PreferredDuringSchedulingIgnoredDuringExecution;
        Assert.Contains(anti, t => t.PodAffinityTerm.TopologyKey == "kubernetes.io/hostname");
    }

    [Fact]
    public void Only_silos_reach_the_silo_and_gateway_ports()
    {
        var policy = One<V1NetworkPolicy>();
        Assert.Equal("orleans-cache", policy.Spec.PodSelector.MatchLabels["app"]);
        foreach (int port in new[] { 11111, 30000 })
        {
            var rules = policy.Spec.Ingress.Where(r => r.Ports?.Any(p => p.Port.Value == port.ToString()) == true).ToList();
            var rule = Assert.Single(rules);
            var from = Assert.Single(rule.FromProperty);
            Assert.Equal("orleans-cache", from.PodSelector.MatchLabels["app"]);
        }
        // Redis clients may reach RESP.
        Assert.Contains(policy.Spec.Ingress, r => r.FromProperty is null && r.Ports.Any(p => p.Port.Value == "6379"));
    }

    [Fact]
    public void The_image_runs_as_a_non_root_user_and_the_build_context_leaves_out_build_output()
    {
        var dockerfile = File.ReadAllLines(Path.Combine(SiloDir, "Dockerfile"));
        var user = dockerfile.Last(l => l.StartsWith("USER ", StringComparison.Ordinal));
        Assert.DoesNotContain("root", user);
        Assert.True(Array.FindLastIndex(dockerfile, l => l.StartsWith("USER ", StringComparison.Ordinal)) >
                    Array.FindLastIndex(dockerfile, l => l.StartsWith("FROM ", StringComparison.Ordinal)));
        var ignore = File.ReadAllLines(Path.Combine(SiloDir, "Dockerfile.dockerignore"));
        Assert.Contains("**/bin/", ignore);
        Assert.Contains("**/obj/", ignore);
        Assert.Contains(".git/", ignore);
    }

    private static string RepoRoot()
    {
        for (var dir = new DirectoryInfo(AppContext.BaseDirectory); dir is not null; dir = dir.Parent)
            if (File.Exists(Path.Combine(dir.FullName, "Orleans.Cache.sln"))) return dir.FullName;
        throw new InvalidOperationException("repository root (Orleans.Cache.sln) not found above " + AppContext.BaseDirectory);
    }
}
