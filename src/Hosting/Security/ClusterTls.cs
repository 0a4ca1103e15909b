using System.Collections.Concurrent;
using System.Net.Security;
using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;
using Akka.Event;

namespace ActorSweep.Hosting.Security;

/// <summary>
/// Mutual TLS for cluster traffic: this node's certificate and key, the cluster's certificate
/// authorities, and the rule a peer's certificate must pass. A peer is admitted when its
/// certificate chains to one of <see cref="Authorities"/> (and to nothing else: the system's
/// trust store plays no part), is within its validity, is no CA's, allows server and client
/// authentication where it lists usages, and names <see cref="PeerName"/> as a DNS subject
/// alternative name. Host names are not checked: pods and lab machines come and go under
/// addresses no certificate could list, so the name is the cluster's, not the host's.
/// </summary>
public sealed class ClusterTls
{
    /// <summary>The DNS name every node's certificate carries unless the cluster chooses another.</summary>
    public const string DefaultPeerName = "actorsweep-node";

    // File names inside a TLS directory: those of a Kubernetes TLS secret (cert-manager writes the same three).
    public const string CertificateFile = "tls.crt", KeyFile = "tls.key", AuthorityFile = "ca.crt";

    readonly ConcurrentDictionary<string, byte> _reported = new();

    public ClusterTls(X509Certificate2 certificate, X509Certificate2Collection authorities, string peerName = DefaultPeerName)
    {
        if (!certificate.HasPrivateKey) throw new ArgumentException("the node's certificate has no private key");
        if (authorities.Count == 0) throw new ArgumentException("no certificate authority to check peers against");
        Certificate = certificate;
        Authorities = authorities;
        PeerName = peerName;
    }

    public X509Certificate2 Certificate { get; }
    public X509Certificate2Collection Authorities { get; }
    public string PeerName { get; }

    /// <summary>
    /// Reads DIR/tls.crt, DIR/tls.key (encrypted when <paramref name="password"/> is given) and
    /// DIR/ca.crt; every problem is an <see cref="ArgumentException"/> naming the file.
    /// </summary>
    public static ClusterTls Load(string directory, string? password = null, string peerName = DefaultPeerName)
    {
        string cert = Path.Combine(directory, CertificateFile), key = Path.Combine(directory, KeyFile), ca = Path.Combine(directory, AuthorityFile);
        foreach (var file in new[] { cert, key, ca })
            if (!File.Exists(file)) throw new ArgumentException($"TLS directory {directory} has no {Path.GetFileName(file)} (it needs {CertificateFile}, {KeyFile} and {AuthorityFile})");
        X509Certificate2 certificate;
        try
        {
            certificate = password is null ? X509Certificate2.CreateFromPemFile(cert, key) : X509Certificate2.CreateFromEncryptedPemFile(cert, password, key);
        }
        catch (CryptographicException e)
        {
            throw new ArgumentException($"cannot read the certificate {cert} with its key {key}{(password is null ? " (an encrypted key needs --tls-password-file)" : "")}: {e.Message}");
        }
        var authorities = new X509Certificate2Collection();
        try { authorities.ImportFromPemFile(ca); }
        catch (CryptographicException e) { throw new ArgumentException($"cannot read the certificate authority {ca}: {e.Message}"); }
        if (authorities.Count == 0) throw new ArgumentException($"{ca} holds no certificate");
        if (certificate.NotAfter < DateTime.Now) throw new ArgumentException($"the certificate {cert} expired on {certificate.NotAfter:u}");
        var tls = new ClusterTls(certificate, authorities, peerName);
        if (tls.Refusal(certificate) is { } own) throw new ArgumentException($"the certificate {cert} would be refused by its own cluster: {own}");
        return tls;
    }

    /// <summary>Why <paramref name="peer"/> is not admitted, or null when it is.</summary>
    public string? Refusal(X509Certificate2? peer)
    {
        if (peer is null) return "it presented no certificate";
        using var chain = new X509Chain();
        chain.ChainPolicy.TrustMode = X509ChainTrustMode.CustomRootTrust;
        chain.ChainPolicy.CustomTrustStore.AddRange(Authorities);
        chain.ChainPolicy.RevocationMode = X509RevocationMode.NoCheck; // a development CA publishes no revocation list
        if (!chain.Build(peer))
        {
            var problems = chain.ChainStatus.Select(s => s.Status).Where(s => s != X509ChainStatusFlags.NoError).Distinct();
            return $"its certificate '{peer.Subject}' does not verify against the cluster's CA ({string.Join(", ", problems)})";
        }
        if (peer.Extensions.OfType<X509BasicConstraintsExtension>().Any(b => b.CertificateAuthority))
            return $"its certificate '{peer.Subject}' is a CA's, not a node's";
        if (peer.Extensions.OfType<X509EnhancedKeyUsageExtension>().FirstOrDefault() is { } usage
            && !(HasUsage(usage, ServerAuth) && HasUsage(usage, ClientAuth)))
            return $"its certificate '{peer.Subject}' is not for both server and client authentication (every node accepts and opens connections)";
        if (!DnsNames(peer).Any(n => string.Equals(n, PeerName, StringComparison.OrdinalIgnoreCase)))
            return $"its certificate '{peer.Subject}' does not name {PeerName} among its DNS names";
        return null;
    }

    const string ServerAuth = "1.3.6.1.5.5.7.3.1", ClientAuth = "1.3.6.1.5.5.7.3.2";

    static bool HasUsage(X509EnhancedKeyUsageExtension usage, string oid) => usage.EnhancedKeyUsages.Cast<Oid>().Any(o => o.Value == oid);

    static IEnumerable<string> DnsNames(X509Certificate2 certificate) =>
        certificate.Extensions.OfType<X509SubjectAlternativeNameExtension>().SelectMany(e => e.EnumerateDnsNames());

    /// <summary>
    /// The handshake's check, for <c>DotNettySslSetup</c>: the chain the platform built is set
    /// aside (it trusts the system's roots, not ours) and <see cref="Refusal"/> decides. Each
    /// distinct refusal is logged once as a warning; a peer retrying every few seconds does not
    /// fill the log.
    /// </summary>
    public bool Validate(X509Certificate2? peer, X509Chain? chain, string remote, SslPolicyErrors errors, ILoggingAdapter log)
    {
        string? refusal = Refusal(peer);
        if (refusal is null) return true;
        if (_reported.TryAdd($"{peer?.Thumbprint}|{refusal}", 0))
            log.Warning("Refused a TLS handshake with {0}: {1}. Further handshakes refused for this reason are not logged.", remote, refusal);
        return false;
    }
}

/// <summary>Why a host stopped, where it was TLS: Akka shuts a node down when its handshake with a peer fails.</summary>
public static class TlsShutdown
{
    /// <summary>True when <paramref name="system"/> shut itself down over a failed TLS handshake (a misconfigured or refused node).</summary>
    public static bool FailedHandshake(Akka.Actor.ActorSystem? system) =>
        system is not null && Akka.Actor.CoordinatedShutdown.Get(system).ShutdownReason?.GetType().Name == "TlsHandshakeFailureReason"; // internal to Akka.Remote

    public const string Message = "error: a TLS handshake with the cluster failed (this node's certificate was refused, or it refused a peer's); the log names the reason";
}
