using Palm.Messages;

namespace Palm.Servers;

/// <summary>
/// A serial server: handles one message at a time, calls the function its current step names and
/// sends each result straight to the next server of the route, or to the client after the last step.
/// </summary>
public abstract class RegisteredServer : PalmServer
{
    internal override string TemplateName => nameof(RegisteredServer);
}
