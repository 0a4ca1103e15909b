using System.Diagnostics;
using System.Text.Json;
using ActorSweep.Hosting.Clustering;
using ActorSweep.Hosting.Web;
using YamlDotNet.RepresentationModel;

namespace ActorSweep.Tests.Deploy;

/// <summary>
/// The kustomize manifests as `kubectl kustomize` renders them: ports agree with the processes'
/// configuration, probes hit /healthz, GPU workers ask for GPUs, and no secret is in plain text.
/// </summary>
public sealed class KubernetesManifestTests
{
    /// <summary>Environment variables that carry credentials: passwords, tokens, and the PostgreSQL connection string.</summary>
    static bool SecretLike(string name) =>
        name is "ACTORSWEEP_POSTGRES" || new[] { "PASSWORD", "TOKEN", "SECRET", "CONNECTION" }.Any(name.Contains);

    static List<YamlMappingNode> Render(string overlay)
    {
        const string kubectl = "/usr/bin/kubectl";
        if (!File.Exists(kubectl))
        {
            const string why = "kubectl is not installed (scripts/test.sh installs it)";
            if (Environment.GetEnvironmentVariable("ACTORSWEEP_REQUIRE_KUBECTL") == "1") Assert.Fail(why);
            Assert.Skip(why);
        }
        var start = new ProcessStartInfo(kubectl) { RedirectStandardOutput = true, RedirectStandardError = true, UseShellExecute = false };
        foreach (var a in new[] { "kustomize", Path.Combine(TestEnvironment.RepositoryRoot, "k8s", "overlays", overlay) }) start.ArgumentList.Add(a);
        using var process = Process.Start(start)!;
        var error = process.StandardError.ReadToEndAsync();
        string yaml = process.StandardOutput.ReadToEnd();
        process.WaitForExit();
        Assert.True(process.ExitCode == 0, $"kubectl kustomize k8s/overlays/{overlay} failed: {error.Result}");
        var stream = new YamlStream();
        stream.Load(new StringReader(yaml));
        return stream.Documents.Select(d => (YamlMappingNode)d.RootNode).ToList();
    }

    static YamlMappingNode Object(List<YamlMappingNode> objects, string kind, string name) =>
        Assert.Single(objects, o => Text(o, "kind") == kind && Text(o, "metadata", "name") == name);

    static YamlNode? At(YamlNode node, params string[] path)
    {
        foreach (var key in path)
        {
            if (node is not YamlMappingNode map || !map.Children.TryGetValue(new YamlScalarNode(key), out var next)) return null;
            node = next;
        }
        return node;
    }

    static string? Text(YamlNode node, params string[] path) => (At(node, path) as YamlScalarNode)?.Value;

    static IEnumerable<YamlMappingNode> Items(YamlNode node, params string[] path) =>
        At(node, path) is YamlSequenceNode seq ? seq.Children.Cast<YamlMappingNode>() : [];

    static YamlMappingNode Container(YamlMappingNode workload) => Items(workload, "spec", "template", "spec", "containers").Single();

    static string? Env(YamlMappingNode container, string name) =>
        Items(container, "env").Where(e => Text(e, "name") == name).Select(e => Text(e, "value")).SingleOrDefault();

    static int Port(YamlMappingNode container, string name) =>
        int.Parse(Text(Items(container, "ports").Single(p => Text(p, "name") == name), "containerPort")!);

    [Theory]
    [InlineData("cpu")]
    [InlineData("gpu")]
    public void Ports_probes_and_seed_nodes_agree_with_the_processes_configuration(string overlay)
    {
        var objects = Render(overlay);
        var seed = Object(objects, "StatefulSet", "actorsweep-seed");
        var worker = Object(objects, "Deployment", "actorsweep-worker");
        Assert.Equal("2", Text(seed, "spec", "replicas"));

        foreach (var (workload, httpVariable) in new[] { (seed, "ACTORSWEEP_API_URLS"), (worker, "ACTORSWEEP_HTTP") })
        {
            var c = Container(workload);
            string what = $"{overlay}: {Text(workload, "metadata", "name")}";
            Assert.Equal(int.Parse(Env(c, "ACTORSWEEP_PORT")!), Port(c, "remoting"));
            Assert.Equal(new Uri(Env(c, httpVariable)!).Port, Port(c, "http"));
            Assert.Equal("0.0.0.0", Env(c, "ACTORSWEEP_HOST"));
            // One scrape path (the shipped job, by label and port name): no prometheus.io annotations that a second job would follow too.
            Assert.Null(Text(workload, "spec", "template", "metadata", "annotations", "prometheus.io/scrape"));
            Assert.Equal(8080, Port(c, "http"));
            foreach (var probe in new[] { "readinessProbe", "livenessProbe" })
            {
                Assert.StartsWith(OpsEndpoints.HealthPath, Text(c, probe, "httpGet", "path"));
                Assert.Equal("http", Text(c, probe, "httpGet", "port"));
            }
            Assert.Equal(OpsEndpoints.HealthPath, Text(c, "readinessProbe", "httpGet", "path"));
            // Long enough for the drain (checkpoint and hand back every run) before the kubelet kills the pod.
            Assert.True(int.Parse(Text(workload, "spec", "template", "spec", "terminationGracePeriodSeconds")!) >= ClusterHosting.DrainTimeout.TotalSeconds + 15, what);

            // Static seed nodes: the seed StatefulSet's pods by their stable DNS names, on their remoting port.
            var seeds = ClusterSetup.ParseSeedNodes(Env(c, "ACTORSWEEP_SEED_NODES"));
            int remoting = Port(Container(seed), "remoting");
            Assert.Equal(Enumerable.Range(0, 2).Select(i => $"akka.tcp://actorsweep@actorsweep-seed-{i}.actorsweep-seed:{remoting}"), seeds);
        }

        var headless = Object(objects, "Service", "actorsweep-seed");
        Assert.Equal("None", Text(headless, "spec", "clusterIP"));
        Assert.Equal("actorsweep-seed", Text(seed, "spec", "serviceName"));
        Assert.Equal("remoting", Text(Items(headless, "spec", "ports").Single(), "targetPort"));
        Assert.Equal("http", Text(Items(Object(objects, "Service", "actorsweep-api"), "spec", "ports").Single(), "targetPort"));

        // The remoting port is reachable from ActorSweep's own pods only.
        var policy = Object(objects, "NetworkPolicy", "actorsweep-remoting");
        var remotingRule = Items(policy, "spec", "ingress").Single(r => Items(r, "ports").Any(p => Text(p, "port") == "4053"));
        Assert.NotEmpty(Items(remotingRule, "from"));
        Assert.Equal("actorsweep", Text(Items(remotingRule, "from").Single(), "podSelector", "matchLabels", "app.kubernetes.io/name"));
        Object(objects, "PodDisruptionBudget", "actorsweep-seed");
        Object(objects, "PodDisruptionBudget", "actorsweep-worker");
        Assert.Contains("kubernetes_sd_configs", Text(Object(objects, "ConfigMap", "actorsweep-prometheus-scrape"), "data", "actorsweep-scrape.yml"));

        var dashboards = Object(objects, "ConfigMap", "actorsweep-dashboards");
        Assert.Equal("1", Text(dashboards, "metadata", "labels", "grafana_dashboard"));
        var files = ((YamlMappingNode)At(dashboards, "data")!).Children;
        Assert.Equal(3, files.Count);
        Assert.All(files.Values, json => Assert.True(JsonDocument.Parse(((YamlScalarNode)json).Value!).RootElement.TryGetProperty("panels", out _)));
    }

    /// <summary>
    /// The overlays deploy the images scripts/images.sh builds (its names, from the Dockerfile of each)
    /// and run them as the numeric user the Dockerfiles declare.
    /// </summary>
    [Theory]
    [InlineData("cpu", "actorsweep-worker")]
    [InlineData("gpu", "actorsweep-worker-cuda")]
    public void Overlays_deploy_the_images_the_script_builds_as_the_user_the_Dockerfiles_declare(string overlay, string workerImage)
    {
        string script = File.ReadAllText(Path.Combine(TestEnvironment.RepositoryRoot, "scripts", "images.sh"));
        var objects = Render(overlay);
        foreach (var (workload, image, dockerfile) in new[]
        {
            (Object(objects, "StatefulSet", "actorsweep-seed"), "actorsweep-seed", "seed.Dockerfile"),
            (Object(objects, "Deployment", "actorsweep-worker"), workerImage, "worker.Dockerfile"),
        })
        {
            Assert.Contains($"build {image} docker/{dockerfile}", script);
            Assert.Matches($"/{image}:[^:/]+$", Text(Container(workload), "image"));
            string user = File.ReadLines(Path.Combine(TestEnvironment.RepositoryRoot, "docker", dockerfile))
                .Single(l => l.StartsWith("USER ", StringComparison.Ordinal))[5..].Split(':')[0];
            Assert.Equal(user, Text(workload, "spec", "template", "spec", "securityContext", "runAsUser"));
        }
    }

    [Fact]
    public void The_gpu_overlay_puts_workers_on_gpus_and_the_cpu_overlay_does_not()
    {
        var worker = Container(Object(Render("gpu"), "Deployment", "actorsweep-worker"));
        var workload = Object(Render("gpu"), "Deployment", "actorsweep-worker");
        Assert.Equal("1", Text(worker, "resources", "limits", "nvidia.com/gpu"));
        Assert.Equal("1", Text(worker, "resources", "requests", "nvidia.com/gpu"));
        Assert.Matches("^cuda(:[0-9]+)?$", Env(worker, "ACTORSWEEP_DEVICE"));
        Assert.Equal("1", Env(worker, "ACTORSWEEP_SLOTS"));
        // The GPU request alone places workers on GPU nodes: no label that only GPU Feature Discovery sets.
        Assert.DoesNotContain("nvidia.com/gpu.present", Text(workload, "spec", "template", "spec", "nodeSelector", "nvidia.com/gpu.present") ?? "");
        Assert.Contains(Items(workload, "spec", "template", "spec", "tolerations"), t => Text(t, "key") == "nvidia.com/gpu");
        Assert.Contains("worker-cuda", Text(worker, "image"));

        var cpu = Container(Object(Render("cpu"), "Deployment", "actorsweep-worker"));
        Assert.Null(Text(cpu, "resources", "limits", "nvidia.com/gpu"));
        Assert.Equal("cpu", Env(cpu, "ACTORSWEEP_DEVICE"));
        Assert.Equal(Text(cpu, "resources", "requests", "cpu"), Env(cpu, "ACTORSWEEP_SLOTS")); // one slot per requested core
    }

    /// <summary>The secret mounted at the directory holding <paramref name="path"/> (a file or a directory), or null.</summary>
    static string? SecretVolumeAt(YamlMappingNode workload, YamlMappingNode container, string path)
    {
        var mount = Items(container, "volumeMounts").SingleOrDefault(m => path == Text(m, "mountPath") || path.StartsWith(Text(m, "mountPath") + "/"));
        if (mount is null) return null;
        var volume = Items(workload, "spec", "template", "spec", "volumes").Single(v => Text(v, "name") == Text(mount, "name"));
        return Text(volume, "secret", "secretName");
    }

    [Theory]
    [InlineData("cpu")]
    [InlineData("gpu")]
    public void Pods_join_only_with_mutual_TLS_from_the_secrets_cert_manager_issues(string overlay)
    {
        var objects = Render(overlay);
        var issued = new YamlStream();
        issued.Load(new StringReader(File.ReadAllText(Path.Combine(TestEnvironment.RepositoryRoot, "k8s", "cert-manager", "certificates.yaml"))));
        var certificates = issued.Documents.Select(d => (YamlMappingNode)d.RootNode).Where(o => Text(o, "kind") == "Certificate" && Text(o, "spec", "isCA") != "true").ToList();
        foreach (var (kind, name, secret) in new[] { ("StatefulSet", "actorsweep-seed", "actorsweep-seed-tls"), ("Deployment", "actorsweep-worker", "actorsweep-worker-tls") })
        {
            var workload = Object(objects, kind, name);
            var c = Container(workload);
            Assert.Equal("true", Env(c, "ACTORSWEEP_REQUIRE_TLS"));
            Assert.Equal(secret, SecretVolumeAt(workload, c, Env(c, "ACTORSWEEP_TLS_DIR")!));
            var certificate = Assert.Single(certificates, o => Text(o, "spec", "secretName") == secret);
            Assert.Contains(ActorSweep.Hosting.Security.ClusterTls.DefaultPeerName, ((YamlSequenceNode)At(certificate, "spec", "dnsNames")!).Children.Select(n => ((YamlScalarNode)n).Value));
            var usages = ((YamlSequenceNode)At(certificate, "spec", "usages")!).Children.Select(n => ((YamlScalarNode)n).Value).ToList();
            Assert.Contains("server auth", usages);
            Assert.Contains("client auth", usages);
        }
    }

    /// <summary>What an SRE's checklist asks of the manifests (probes, budgets, security contexts, PostgreSQL, the API's reach, timings, scaling).</summary>
    [Theory]
    [InlineData("cpu")]
    [InlineData("gpu")]
    public void The_manifests_pass_an_operators_checklist(string overlay)
    {
        var objects = Render(overlay);
        var workloads = objects.Where(o => Text(o, "kind") is "Deployment" or "StatefulSet").ToList();
        Assert.Equal(3, workloads.Count); // seeds, workers, PostgreSQL
        foreach (var workload in workloads)
        {
            string what = $"{overlay}: {Text(workload, "metadata", "name")}";
            Assert.True(Text(workload, "spec", "template", "spec", "securityContext", "seccompProfile", "type") == "RuntimeDefault", $"{what} has no RuntimeDefault seccomp profile");
            Assert.Equal("true", Text(workload, "spec", "template", "spec", "securityContext", "runAsNonRoot"));
            var c = Container(workload);
            Assert.Contains(":", Text(c, "image")); // a tag, not latest
            Assert.DoesNotContain(":latest", Text(c, "image"));
            foreach (var probe in new[] { "readinessProbe", "livenessProbe" })
                Assert.True(At(c, probe) is not null, $"{what} has no {probe}");
            // Readiness waits for the supervisor (up to 5 s): the kubelet must wait longer, or a slow answer reads as a failure.
            if (Text(c, "readinessProbe", "httpGet", "path") == OpsEndpoints.HealthPath)
                Assert.True(int.Parse(Text(c, "readinessProbe", "timeoutSeconds") ?? "1") > OpsEndpoints.SupervisorWait.TotalSeconds, $"{what}: readiness timeoutSeconds");
            Assert.True(int.Parse(Text(c, "livenessProbe", "timeoutSeconds") ?? "1") >= 5, $"{what}: liveness timeoutSeconds");
            if (Text(workload, "metadata", "name") != "actorsweep-postgres")
                Assert.NotEqual(Text(c, "readinessProbe", "httpGet", "path"), Text(c, "livenessProbe", "httpGet", "path")); // readiness is not liveness
        }

        foreach (var budget in objects.Where(o => Text(o, "kind") == "PodDisruptionBudget"))
            Assert.Equal("AlwaysAllow", Text(budget, "spec", "unhealthyPodEvictionPolicy"));
        Assert.Equal("100%", Text(Object(objects, "PodDisruptionBudget", "actorsweep-worker"), "spec", "maxUnavailable")); // a full pool drains
        Object(objects, "PodDisruptionBudget", "actorsweep-postgres");

        var postgres = Object(objects, "StatefulSet", "actorsweep-postgres");
        Assert.Matches(@"^postgres:\d+\.\d+", Text(Container(postgres), "image")); // a pinned minor version
        Assert.NotEqual("0", Text(postgres, "spec", "template", "spec", "securityContext", "runAsUser"));
        Assert.Equal("None", Text(Object(objects, "Service", "actorsweep-postgres"), "spec", "clusterIP"));

        // The HTTP port only from labelled clients; the API token is required (its secret is not optional).
        var policy = Object(objects, "NetworkPolicy", "actorsweep-remoting");
        var http = Items(policy, "spec", "ingress").Single(r => Items(r, "ports").Any(p => Text(p, "port") == "8080"));
        Assert.Equal("true", Text(Items(http, "from").Single(), "podSelector", "matchLabels", "actorsweep.io/api-client"));
        var seed = Object(objects, "StatefulSet", "actorsweep-seed");
        Assert.Equal("actorsweep-api", SecretVolumeAt(seed, Container(seed), Env(Container(seed), "ACTORSWEEP_API_TOKEN_FILE")!));
        Assert.Null(Text(Items(seed, "spec", "template", "spec", "volumes").Single(v => Text(v, "name") == "api"), "secret", "optional"));

        // Seeds prefer different nodes; every pod detects failures on Kubernetes' timings.
        Assert.Equal("kubernetes.io/hostname", Text(Items(seed, "spec", "template", "spec", "affinity", "podAntiAffinity", "preferredDuringSchedulingIgnoredDuringExecution").Single(),
            "podAffinityTerm", "topologyKey"));
        foreach (var workload in new[] { seed, Object(objects, "Deployment", "actorsweep-worker") })
            Assert.Equal("kubernetes", Env(Container(workload), "ACTORSWEEP_FAILURE_DETECTOR"));
        var (pause, stable) = ClusterSetup.FailureProfiles["kubernetes"];
        Assert.True(pause >= TimeSpan.FromSeconds(8) && stable > ClusterSetup.FailureProfiles["fast"].StableAfter);

        // Scaling lives in the overlay (kustomize's replicas), so `apply -k` keeps it.
        string kustomization = File.ReadAllText(Path.Combine(TestEnvironment.RepositoryRoot, "k8s", "overlays", overlay, "kustomization.yaml"));
        Assert.Contains("replicas:\n  - name: actorsweep-worker", kustomization);
    }

    [Theory]
    [InlineData("cpu")]
    [InlineData("gpu")]
    public void No_secret_is_written_in_plain_text(string overlay)
    {
        var objects = Render(overlay);
        Assert.DoesNotContain(objects, o => Text(o, "kind") == "Secret");
        foreach (var workload in objects.Where(o => Text(o, "kind") is "Deployment" or "StatefulSet"))
            foreach (var container in Items(workload, "spec", "template", "spec", "containers"))
                foreach (var env in Items(container, "env").Where(e => SecretLike(Text(e, "name")!)))
                {
                    string what = $"{overlay}: {Text(workload, "metadata", "name")} env {Text(env, "name")}";
                    if (Text(env, "name")!.EndsWith("_FILE"))
                        // A file from a mounted Secret (ActorSweep reads --X-file), the way ActorSweep's own pods take them.
                        Assert.True(SecretVolumeAt(workload, container, Text(env, "value")!) is not null, $"{what} is not a file of a mounted secret");
                    else
                    {
                        Assert.True(Text(env, "value") is null, $"{what} is written in plain text");
                        Assert.NotNull(Text(env, "valueFrom", "secretKeyRef", "name"));
                    }
                }
        var rendered = new YamlStream(objects.Select(o => new YamlDocument(o)));
        var text = new StringWriter();
        rendered.Save(text, assignAnchors: false);
        Assert.DoesNotContain("Password=", text.ToString(), StringComparison.OrdinalIgnoreCase);
    }
}
