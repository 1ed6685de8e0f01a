using System.Runtime.CompilerServices;
using Akka.Actor;
using Microsoft.Extensions.Logging;

namespace Palm.Hosting.Internal;

/// <summary>
/// The logger factory of the host that started each actor system. Akka creates its loggers by type name, with no
/// arguments, while the system is being built; a host registers its factory under the system's name before it
/// starts one, and the logger finds it on its first line (one host per process is the usual case; two hosts
/// starting systems of the same name at the same moment share the last factory registered).
/// </summary>
internal static class LoggerFactories
{
    private static readonly ConditionalWeakTable<ActorSystem, ILoggerFactory> BySystem = new();
    private static volatile ILoggerFactory? _starting;

    /// <summary>Registers <paramref name="factory"/> for the system about to be started.</summary>
    public static void Starting(ILoggerFactory factory) => _starting = factory;

    /// <summary>The factory for <paramref name="system"/>: the one registered when it started.</summary>
    public static ILoggerFactory? For(ActorSystem system) =>
        BySystem.TryGetValue(system, out var factory) ? factory : _starting is { } starting ? BySystem.GetValue(system, _ => starting) : null;
}
