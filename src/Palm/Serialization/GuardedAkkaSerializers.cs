using System.Runtime.Serialization;
using Akka.Actor;
using Akka.Dispatch.SysMsg;
using Akka.Remote.Serialization;
using Akka.Serialization;

namespace Palm.Serialization;

// Akka.Remote writes an exception as its type name and fields, and reads it back by calling the
// (SerializationInfo, StreamingContext) constructor of whatever type the bytes name, before checking
// that it is an exception: a peer could make a node construct any such type with values of its
// choosing. Palm sends failures as values (PalmError, CacheReply.Error), and the system messages that
// carry exceptions only travel between a remotely deployed actor and its parent, which Palm refuses;
// so those messages are refused here and everything else goes to Akka's own serializer unchanged.

/// <summary>
/// Akka.Remote's <see cref="MiscMessageSerializer"/> (Identify, ActorIdentity, PoisonPill, heartbeats...)
/// without <see cref="Status.Failure"/>, which carries an exception.
/// </summary>
internal sealed class GuardedMiscSerializer(ExtendedActorSystem system) : SerializerWithStringManifest(system)
{
    /// <summary>Akka.Remote's identifier for its misc serializer: peers ask for it by this number.</summary>
    public const int Id = 16;
    private const string FailureManifest = "STF";

    // Created on first use: a system without Akka.Remote has no identifier configured for it.
    private readonly Lazy<MiscMessageSerializer> _inner = new(() => new MiscMessageSerializer(system));

    public override int Identifier => Id;

    public override string Manifest(object o) => o is Status.Failure ? throw Refused() : _inner.Value.Manifest(o);

    public override byte[] ToBinary(object obj) => obj is Status.Failure ? throw Refused() : _inner.Value.ToBinary(obj);

    public override object FromBinary(byte[] bytes, string manifest) =>
        manifest == FailureManifest ? throw Refused() : _inner.Value.FromBinary(bytes, manifest);

    private static SerializationException Refused() => new(
        "Status.Failure does not travel between Palm's actor systems: it names an exception type for the receiver to build. Palm sends failures as values.");
}

/// <summary>
/// Akka.Remote's <see cref="SystemMessageSerializer"/> (Watch, Unwatch, DeathWatchNotification...)
/// without the system messages that carry an exception (<see cref="Create"/>, <see cref="Recreate"/>,
/// <see cref="Resume"/>, <see cref="Failed"/>: supervision of remotely deployed actors).
/// </summary>
internal sealed class GuardedSystemMessageSerializer(ExtendedActorSystem system) : Serializer(system)
{
    /// <summary>Akka.Remote's identifier for its system message serializer.</summary>
    public const int Id = 22;

    private readonly Lazy<SystemMessageSerializer> _inner = new(() => new SystemMessageSerializer(system));

    public override int Identifier => Id;

    public override bool IncludeManifest => true;

    public override byte[] ToBinary(object obj) => CarriesException(obj.GetType()) ? throw Refused(obj.GetType()) : _inner.Value.ToBinary(obj);

    public override object FromBinary(byte[] bytes, Type type) =>
        type is null || CarriesException(type) ? throw Refused(type) : _inner.Value.FromBinary(bytes, type);

    private static bool CarriesException(Type type) =>
        type == typeof(Create) || type == typeof(Recreate) || type == typeof(Resume) || type == typeof(Failed);

    private static SerializationException Refused(Type? type) => new(
        $"System message {type?.Name ?? "without a type"} does not travel between Palm's actor systems: it carries an exception for the receiver to build (remote supervision, which Palm does not use).");
}
