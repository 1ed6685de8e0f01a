using Akka.Actor;
using Akka.Actor.Setup;

namespace Palm.Security.Internal;

/// <summary>
/// Carries the settings <see cref="PalmTls.CreateSetup"/> loaded into the actor system, so the certificate is read once per
/// system; the same object is the system's extension, for everything in it that opens connections (the data lanes).
/// </summary>
internal sealed class PalmTlsSetup(PalmTlsSettings settings) : Setup, IExtension
{
    public PalmTlsSettings Settings { get; } = settings;
}

internal sealed class PalmTlsExtensionProvider : ExtensionIdProvider<PalmTlsSetup>
{
    public override PalmTlsSetup CreateExtension(ExtendedActorSystem system)
    {
        var setup = system.Settings.Setup.Get<PalmTlsSetup>();
        // A system built elsewhere (a test's) reads its own configuration.
        return setup.HasValue ? setup.Value : new PalmTlsSetup(PalmTlsSettings.Create(system.Settings.Config));
    }
}
