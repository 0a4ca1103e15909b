using System.CommandLine;
using ActorSweep.Hosting.Security;
using Spectre.Console;

namespace ActorSweep.Seed.Cli;

/// <summary>
/// `actorsweep certs init DIR`: a development certificate authority and node certificates for
/// mutual TLS, laid out as Kubernetes TLS secrets are (DIR/seed, DIR/worker: tls.crt, tls.key,
/// ca.crt; the CA's key in DIR/ca). `certs node DIR NAME` signs one more node directory with it.
/// </summary>
public static class CertsCommand
{
    public static Command Create()
    {
        var command = new Command("certs", "Make development certificates for mutual TLS on cluster traffic (production: your own PKI or cert-manager).");
        command.Add(Init());
        command.Add(Node());
        return command;
    }

    static Option<string> PeerNameOption() => new("--peer-name")
    {
        Description = "The DNS name every node certificate carries and every node checks (--tls-peer-name).",
        DefaultValueFactory = _ => ClusterTls.DefaultPeerName,
    };

    static Option<int> DaysOption() => new("--days") { Description = "How long node certificates stay valid, in days.", DefaultValueFactory = _ => 365 };

    static Command Init()
    {
        var dir = new Argument<string>("dir") { Description = "Where to write ca/, seed/ and worker/." };
        Option<string> peerName = PeerNameOption();
        Option<int> days = DaysOption();
        var command = new Command("init", "Write a new CA (DIR/ca) and a seed and a worker certificate signed by it (DIR/seed, DIR/worker).") { dir, peerName, days };
        command.SetAction(parse =>
        {
            string root = Path.GetFullPath(parse.GetValue(dir)!);
            if (Directory.Exists(Path.Combine(root, "ca")))
                return Terminal.UsageError(parse.InvocationConfiguration.Error, $"{Path.Combine(root, "ca")} exists: a second CA would not trust the nodes of the first. Sign more nodes with `actorsweep certs node {root} NAME`.");
            if (parse.GetValue(days) < 1) return Terminal.UsageError(parse.InvocationConfiguration.Error, "--days must be at least 1");
            var now = DateTimeOffset.UtcNow.AddMinutes(-5); // clocks of other machines may lag a little
            using var authority = DevelopmentCertificates.Authority("ActorSweep development CA", now, now.AddYears(10));
            DevelopmentCertificates.WriteAuthority(Path.Combine(root, "ca"), authority);
            var console = Terminal.For(parse.InvocationConfiguration.Output);
            foreach (var role in new[] { "seed", "worker" }) WriteNode(console, root, role, authority, parse.GetValue(peerName)!, parse.GetValue(days));
            console.MarkupLine($"CA: {Markup.Escape(Path.Combine(root, "ca"))} (keep ca.key private). Start nodes with --tls-dir {Markup.Escape(Path.Combine(root, "seed"))} or {Markup.Escape(Path.Combine(root, "worker"))}.");
            return ExitCodes.Ok;
        });
        return command;
    }

    static Command Node()
    {
        var dir = new Argument<string>("dir") { Description = "The directory `certs init` wrote." };
        var name = new Argument<string>("name") { Description = "The new node directory's name (also its certificate's common name)." };
        Option<string> peerName = PeerNameOption();
        Option<int> days = DaysOption();
        var command = new Command("node", "Sign one more node certificate with the CA in DIR/ca, into DIR/NAME.") { dir, name, peerName, days };
        command.SetAction(parse =>
        {
            string root = Path.GetFullPath(parse.GetValue(dir)!), node = parse.GetValue(name)!;
            if (node.IndexOfAny(Path.GetInvalidFileNameChars()) >= 0 || node is "ca" or "." or "..")
                return Terminal.UsageError(parse.InvocationConfiguration.Error, $"'{node}' cannot name a node directory");
            if (parse.GetValue(days) < 1) return Terminal.UsageError(parse.InvocationConfiguration.Error, "--days must be at least 1");
            if (!File.Exists(Path.Combine(root, "ca", "ca.key")))
                return Terminal.UsageError(parse.InvocationConfiguration.Error, $"no CA at {Path.Combine(root, "ca")}: run `actorsweep certs init {root}` first");
            if (Directory.Exists(Path.Combine(root, node)))
                return Terminal.UsageError(parse.InvocationConfiguration.Error, $"{Path.Combine(root, node)} exists");
            using var authority = DevelopmentCertificates.ReadAuthority(Path.Combine(root, "ca"));
            WriteNode(Terminal.For(parse.InvocationConfiguration.Output), root, node, authority, parse.GetValue(peerName)!, parse.GetValue(days));
            return ExitCodes.Ok;
        });
        return command;
    }

    static void WriteNode(IAnsiConsole console, string root, string role, System.Security.Cryptography.X509Certificates.X509Certificate2 authority, string peerName, int days)
    {
        var now = DateTimeOffset.UtcNow.AddMinutes(-5);
        using var node = DevelopmentCertificates.Node(authority, role, peerName, now, now.AddDays(days));
        string directory = Path.Combine(root, role);
        DevelopmentCertificates.WriteNode(directory, node, authority);
        console.MarkupLine($"{Markup.Escape(role)}: {Markup.Escape(directory)} (tls.crt, tls.key, ca.crt), valid until {node.NotAfter:yyyy-MM-dd}, DNS name {Markup.Escape(peerName)}");
    }
}
