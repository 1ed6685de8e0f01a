namespace Palm.Security;

/// <summary>Who is at the other end of an authenticated TLS stream, for logs and diagnostics.</summary>
/// <param name="Subject">The subject of the peer's certificate (e.g. <c>CN=node-a, OU=node, O=Palm</c>).</param>
/// <param name="Thumbprint">The SHA-1 thumbprint of the peer's certificate, upper-case hex.</param>
public sealed record PalmTlsPeer(string Subject, string Thumbprint)
{
    /// <summary><c>subject (thumbprint)</c>.</summary>
    public override string ToString() => $"{Subject} ({Thumbprint})";
}
