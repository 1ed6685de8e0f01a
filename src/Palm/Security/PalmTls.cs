using Akka.Actor;
using Akka.Actor.Setup;
using Akka.Configuration;
using Akka.Remote.Transport.DotNetty;
using Palm.Diagnostics;
using Palm.Messages;
using Palm.Security.Internal;

namespace Palm.Security;

/// <summary>
/// Palm's mutual TLS from one switch, <c>palm.tls.enabled</c>: every node and client presents its certificate
/// and accepts only peers whose certificate chains to <c>palm.tls.trusted-ca</c> or is listed in
/// <c>palm.tls.trusted-thumbprints</c>. This class turns the settings into Akka.Remote's TLS
/// (<see cref="CreateActorSystem"/>, which every Palm node and client is created with) and into
/// authenticated streams for Palm's own connections (<see cref="AuthenticateAsServerAsync"/>,
/// <see cref="AuthenticateAsClientAsync"/>).
/// </summary>
public static partial class PalmTls
{
    /// <summary>What Akka.Remote needs on top of a configuration for mutual TLS (the certificate and the validator come through <see cref="CreateRemoteSslSetup"/>).</summary>
    private static readonly Config RemoteTls = ConfigurationFactory.ParseString("""
        akka.remote.dot-netty.tcp {
          enable-ssl = on
          ssl {
            # Both ends present a certificate; Palm's validator checks it on both sides.
            require-mutual-authentication = on
            # Node certificates name nodes, not the host names peers dial: trust is the CA's signature.
            validate-certificate-hostname = off
            suppress-validation = off
          }
        }
        """);

    /// <summary>
    /// The keys to lay over a configuration so Akka.Remote runs mutual TLS (<c>enable-ssl</c> on, mutual
    /// authentication on, host-name validation off); empty when <paramref name="settings"/> has TLS off.
    /// </summary>
    public static Config RemoteConfig(PalmTlsSettings settings)
    {
        ArgumentNullException.ThrowIfNull(settings);
        return settings.Enabled ? RemoteTls : Config.Empty;
    }

    /// <summary>
    /// Akka.Remote's TLS setup for <paramref name="settings"/>: this side's certificate, and a validator that
    /// accepts a peer (inbound and outbound alike) only if its certificate chains to the trusted CA or its
    /// thumbprint is trusted, never by the operating system's store. Refusals are logged in one line each, at most one
    /// every <see cref="RateLimitedLog.StrangerInterval"/> (with the count of those left out).
    /// </summary>
    /// <exception cref="InvalidOperationException"><paramref name="settings"/> has TLS off.</exception>
    public static DotNettySslSetup CreateRemoteSslSetup(PalmTlsSettings settings)
    {
        ArgumentNullException.ThrowIfNull(settings);
        if (!settings.Enabled || settings.Certificate is null) throw new InvalidOperationException("palm.tls is not enabled.");
        RateLimitedLog? refusals = null;
        var trust = settings.Trust;
        // The policy errors SslStream reports come from the OS store and host names; Palm's own trust replaces them.
        CertificateValidationCallback validator = (certificate, chain, peer, _, log) =>
        {
            var refusal = trust.Check(certificate, chain);
            if (refusal is null) return true;
            // Akka hands the validator its logger; the first refusal builds the rate limit around it.
            LazyInitializer.EnsureInitialized(ref refusals, () => new RateLimitedLog(log, RateLimitedLog.StrangerInterval));
            refusals.Warn("tls-refused", $"palm.tls: refused the TLS peer {peer}: {refusal}");
            return false;
        };
        return new DotNettySslSetup(settings.Certificate, suppressValidation: false, requireMutualAuthentication: true,
            validateCertificateHostname: false, customValidator: validator);
    }

    /// <summary>
    /// Everything an actor system needs to start from <paramref name="config"/>: the configuration (with
    /// <see cref="RemoteConfig"/> laid over it when <c>palm.tls.enabled</c> is on) and, then, the setups of
    /// <see cref="CreateSetups"/>. The certificate is read here, once.
    /// </summary>
    /// <exception cref="ConfigurationException"><c>palm.tls</c> is enabled but incomplete or its files unusable (the message names the key).</exception>
    public static ActorSystemSetup CreateSetup(Config config)
    {
        ArgumentNullException.ThrowIfNull(config);
        var settings = PalmTlsSettings.Create(config);
        return ActorSystemSetup.Create([BootstrapSetup.Create().WithConfig(RemoteConfig(settings).WithFallback(config)), .. CreateSetups(settings)]);
    }

    /// <summary>
    /// The setups an actor system needs for <paramref name="settings"/> beyond its configuration: Palm's TLS settings
    /// (so the certificate is read once per system) and, when TLS is on, Akka.Remote's TLS setup (<see cref="CreateRemoteSslSetup"/>).
    /// For whoever builds the <see cref="ActorSystemSetup"/> itself (Akka.Hosting's <c>AddSetup</c>); the configuration goes with <see cref="RemoteConfig"/>.
    /// </summary>
    public static IReadOnlyList<Setup> CreateSetups(PalmTlsSettings settings)
    {
        ArgumentNullException.ThrowIfNull(settings);
        return settings.Enabled ? [new PalmTlsSetup(settings), CreateRemoteSslSetup(settings)] : [new PalmTlsSetup(settings)];
    }

    /// <summary>Creates an actor system named <paramref name="name"/> from <paramref name="config"/>, with mutual TLS if <c>palm.tls.enabled</c> is on.</summary>
    /// <exception cref="ConfigurationException"><c>palm.tls</c> is enabled but incomplete or its files unusable (the message names the key).</exception>
    /// <exception cref="PalmBindException">Akka.Remote cannot listen: its port is taken (the message names it and, where the OS says, its holder), or the host is not this machine's.</exception>
    public static ActorSystem CreateActorSystem(string name, Config config)
    {
        var setup = CreateSetup(config);
        return MapBindFailure(config, () => ActorSystem.Create(name, setup));
    }

    /// <summary>
    /// Runs <paramref name="create"/>, which creates an actor system from <paramref name="config"/>; if Akka.Remote cannot bind,
    /// throws a <see cref="PalmBindException"/> naming the port and its holder instead of Akka's stack of exceptions.
    /// </summary>
    internal static ActorSystem MapBindFailure(Config config, Func<ActorSystem> create)
    {
        try
        {
            return create();
        }
        catch (Exception e) when (PortInUse.FindBindFailure(e) is { } failure)
        {
            // Akka reports it as a stack of AggregateExceptions around its transport's exception; every node and
            // client is created through here, so this is the one place it becomes a message that names the port.
            var tcp = config.GetConfig("akka.remote.dot-netty.tcp") ?? Config.Empty;
            var host = tcp.GetString("bind-hostname", "") is { Length: > 0 } bindHost ? bindHost : tcp.GetString("hostname", "");
            var port = int.TryParse(tcp.GetString("bind-port", ""), out var bindPort) ? bindPort : tcp.GetInt("port", 0);
            throw new PalmBindException(PortInUse.Describe(host, port, "Akka.Remote (akka.remote.dot-netty.tcp.port)", failure), host, port, e);
        }
    }

    /// <summary>The TLS settings <paramref name="system"/> runs with (those it was created with by <see cref="CreateActorSystem"/>, else read from its configuration).</summary>
    public static PalmTlsSettings GetSettings(ActorSystem system)
    {
        ArgumentNullException.ThrowIfNull(system);
        return system.WithExtension<PalmTlsSetup, PalmTlsExtensionProvider>().Settings;
    }
}
