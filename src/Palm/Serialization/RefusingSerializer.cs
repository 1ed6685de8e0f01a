using System.Runtime.Serialization;
using Akka.Actor;
using Akka.Configuration;
using Akka.Serialization;

namespace Palm.Serialization;

/// <summary>
/// The serializer of everything Palm does not know: it writes nothing and builds nothing, so a peer cannot make a node
/// construct an arbitrary object from the wire (docs/internals.md#refusingserializer).
/// </summary>
internal sealed class RefusingSerializer : SerializerWithStringManifest
{
    public const int DefaultId = 7304;
    private readonly int _identifier;

    /// <summary>Created by Akka from <c>akka.actor.serializers</c>.</summary>
    public RefusingSerializer(ExtendedActorSystem system) : this(system, DefaultId) { }

    /// <summary>Created by Akka for a name that has <c>akka.actor.serialization-settings</c> (e.g. <c>json</c>).</summary>
    public RefusingSerializer(ExtendedActorSystem system, Config _) : this(system, DefaultId) { }

    /// <summary>A refusing serializer that takes the place of another under its <paramref name="identifier"/>.</summary>
    public RefusingSerializer(ExtendedActorSystem system, int identifier) : base(system) => _identifier = identifier;

    public override int Identifier => _identifier;

    public override string Manifest(object o) => throw Unsendable(o);

    public override byte[] ToBinary(object obj) => throw Unsendable(obj);

    public override object FromBinary(byte[] bytes, string manifest) => throw new SerializationException(
        $"Refused a message with manifest '{Quote(manifest)}' (serializer {_identifier}, {bytes?.Length ?? 0} bytes): " +
        "Palm builds only its own messages from the wire.");

    private static SerializationException Unsendable(object? o) => new(
        $"No Palm serializer for {o?.GetType().FullName ?? "null"}; Palm only sends its own messages between actor systems " +
        "(a type that really must travel needs a serializer of its own in akka.actor.serialization-bindings).");

    // A stranger's manifest ends up in a log line: keep it short and printable.
    internal static string Quote(string? manifest) =>
        manifest is null ? "" : new string(manifest.Take(200).Select(c => char.IsControl(c) ? '?' : c).ToArray());
}
