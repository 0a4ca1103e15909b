using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;

namespace ActorSweep.Hosting.Security;

/// <summary>
/// A development certificate authority and the node certificates it signs, made with .NET's own
/// X.509 APIs (ECDSA P-256). `actorsweep certs init DIR` writes them as Kubernetes TLS secrets
/// lay files out (tls.crt, tls.key, ca.crt), so a directory made here and one mounted from
/// cert-manager are read alike. Production clusters use their own PKI (README).
/// </summary>
public static class DevelopmentCertificates
{
    /// <summary>A self-signed CA that may sign node certificates (and nothing below them).</summary>
    public static X509Certificate2 Authority(string name, DateTimeOffset notBefore, DateTimeOffset notAfter)
    {
        using var key = ECDsa.Create(ECCurve.NamedCurves.nistP256);
        var request = new CertificateRequest($"CN={name}, O=ActorSweep", key, HashAlgorithmName.SHA256);
        request.CertificateExtensions.Add(new X509BasicConstraintsExtension(certificateAuthority: true, hasPathLengthConstraint: true, pathLengthConstraint: 0, critical: true));
        request.CertificateExtensions.Add(new X509KeyUsageExtension(X509KeyUsageFlags.KeyCertSign | X509KeyUsageFlags.CrlSign, critical: true));
        request.CertificateExtensions.Add(new X509SubjectKeyIdentifierExtension(request.PublicKey, critical: false));
        return request.CreateSelfSigned(notBefore, notAfter);
    }

    /// <summary>
    /// A node certificate for <paramref name="role"/> (its common name), signed by
    /// <paramref name="authority"/>, usable for both ends of a connection (every node accepts and
    /// opens them), naming <paramref name="peerName"/> as its DNS name.
    /// </summary>
    public static X509Certificate2 Node(X509Certificate2 authority, string role, string peerName, DateTimeOffset notBefore, DateTimeOffset notAfter)
    {
        using var key = ECDsa.Create(ECCurve.NamedCurves.nistP256);
        var request = new CertificateRequest($"CN=actorsweep-{role}, O=ActorSweep", key, HashAlgorithmName.SHA256);
        request.CertificateExtensions.Add(new X509BasicConstraintsExtension(false, false, 0, critical: true));
        request.CertificateExtensions.Add(new X509KeyUsageExtension(X509KeyUsageFlags.DigitalSignature | X509KeyUsageFlags.KeyAgreement, critical: true));
        request.CertificateExtensions.Add(new X509EnhancedKeyUsageExtension([new Oid("1.3.6.1.5.5.7.3.1"), new Oid("1.3.6.1.5.5.7.3.2")], critical: false)); // server and client auth
        var names = new SubjectAlternativeNameBuilder();
        names.AddDnsName(peerName);
        names.AddDnsName($"actorsweep-{role}");
        request.CertificateExtensions.Add(names.Build());
        request.CertificateExtensions.Add(new X509SubjectKeyIdentifierExtension(request.PublicKey, critical: false));
        request.CertificateExtensions.Add(X509AuthorityKeyIdentifierExtension.CreateFromCertificate(authority, includeKeyIdentifier: true, includeIssuerAndSerial: false));
        var serial = RandomNumberGenerator.GetBytes(16);
        serial[0] &= 0x7f; // positive
        using var signed = request.Create(authority, notBefore, notAfter, serial);
        return signed.CopyWithPrivateKey(key);
    }

    /// <summary>Writes a node's directory: tls.crt, tls.key (owner-only), ca.crt.</summary>
    public static void WriteNode(string directory, X509Certificate2 node, X509Certificate2 authority)
    {
        Directory.CreateDirectory(directory);
        File.WriteAllText(Path.Combine(directory, ClusterTls.CertificateFile), node.ExportCertificatePem());
        WritePrivate(Path.Combine(directory, ClusterTls.KeyFile), node.GetECDsaPrivateKey()!.ExportPkcs8PrivateKeyPem());
        File.WriteAllText(Path.Combine(directory, ClusterTls.AuthorityFile), authority.ExportCertificatePem());
    }

    /// <summary>Writes the CA's own directory: ca.crt and ca.key (owner-only), to sign more nodes later.</summary>
    public static void WriteAuthority(string directory, X509Certificate2 authority)
    {
        Directory.CreateDirectory(directory);
        File.WriteAllText(Path.Combine(directory, ClusterTls.AuthorityFile), authority.ExportCertificatePem());
        WritePrivate(Path.Combine(directory, "ca.key"), authority.GetECDsaPrivateKey()!.ExportPkcs8PrivateKeyPem());
    }

    /// <summary>Reads a CA written by <see cref="WriteAuthority"/>.</summary>
    public static X509Certificate2 ReadAuthority(string directory) =>
        X509Certificate2.CreateFromPemFile(Path.Combine(directory, ClusterTls.AuthorityFile), Path.Combine(directory, "ca.key"));

    static void WritePrivate(string path, string text)
    {
        using var file = new FileStream(path, new FileStreamOptions
        {
            Mode = FileMode.Create, Access = FileAccess.Write,
            UnixCreateMode = OperatingSystem.IsWindows() ? null : UnixFileMode.UserRead | UnixFileMode.UserWrite,
        });
        using var writer = new StreamWriter(file);
        writer.Write(text);
    }
}
