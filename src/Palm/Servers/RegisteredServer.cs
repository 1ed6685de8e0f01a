using Akka.Actor;
using Palm.Servers.Internal;

namespace Palm.Servers;

/// <summary>
/// A serial server: handles one message at a time, calls the function its current step names and
/// sends each result straight to the next server of the route, or to the client after the last step.
/// </summary>
public abstract class RegisteredServer : PalmServer
{
    internal override string TemplateName => nameof(RegisteredServer);

    internal override Props CreateProps(ServerRuntime runtime, ServerRole role) => role == ServerRole.Standalone
        ? Props.Create(() => new SerialServerActor(runtime))
        : throw new Messages.PalmConfigurationException(
            $"Server '{runtime.Name}' is a {nameof(RegisteredServer)}, which has no leader or workers; derive from ButterflyServer for a parallel server.");
}
