using Akka.Actor;
using Akka.Actor.Setup;

namespace Palm.Security.Internal;

/// <summary>Carries the settings <see cref="PalmTls.CreateSetup"/> loaded into the actor system, so the certificate is read once per system.</summary>
internal sealed class PalmTlsSetup(PalmTlsSettings settings) : Setup
{
    public PalmTlsSettings Settings { get; } = settings;
}

/// <summary>The TLS settings of one actor system, for everything in it that opens connections (the data lanes).</summary>
internal sealed class PalmTlsExtension(PalmTlsSettings settings) : IExtension
{
    public PalmTlsSettings Settings { get; } = settings;
}

internal sealed class PalmTlsExtensionProvider : ExtensionIdProvider<PalmTlsExtension>
{
    public override PalmTlsExtension CreateExtension(ExtendedActorSystem system)
    {
        var setup = system.Settings.Setup.Get<PalmTlsSetup>();
        // A system built elsewhere (a test's) reads its own configuration.
        return new PalmTlsExtension(setup.HasValue ? setup.Value.Settings : PalmTlsSettings.Create(system.Settings.Config));
    }
}
