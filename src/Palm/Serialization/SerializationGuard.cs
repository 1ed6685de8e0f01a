using Akka.Actor;

namespace Palm.Serialization;

/// <summary>
/// Gives a system built without Palm's HOCON what <c>hocon/reference.conf</c> sets up besides Palm's own
/// serializers (<see cref="SerializerBindings"/>): no serializer that builds whatever type the wire names.
/// </summary>
internal static class SerializationGuard
{
    // Serializers that build any type a message names (Akka's JSON, remote deployment, Hyperion),
    // by their usual names and the identifiers a peer writes to ask for them.
    private static readonly (string Name, int Id)[] Unsafe = [("json", 1), ("daemon-create", 3), ("hyperion", -5)];

    /// <summary>
    /// Replaces every unsafe serializer by a <see cref="RefusingSerializer"/> under the same name and identifier (so bytes that name it are
    /// refused), reads Akka.Remote's messages without those that carry exceptions, and refuses what has
    /// no binding of its own.
    /// </summary>
    public static void Apply(ExtendedActorSystem system)
    {
        var serialization = system.Serialization;
        // Whether or not the system has them: bytes that ask for them are then refused with a clear reason.
        foreach (var (name, id) in Unsafe) serialization.AddSerializer(name, new RefusingSerializer(system, id));
        if (system.Provider is Akka.Remote.RemoteActorRefProvider)
        {
            serialization.AddSerializer("akka-misc", new GuardedMiscSerializer(system));
            serialization.AddSerializer("akka-system-msg", new GuardedSystemMessageSerializer(system));
        }
        if (serialization.FindSerializerForType(typeof(object)) is not RefusingSerializer)
            serialization.AddSerializationMap(typeof(object), new RefusingSerializer(system));
    }
}
