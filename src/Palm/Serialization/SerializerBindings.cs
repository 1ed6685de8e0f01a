using Akka.Actor;
using Akka.Configuration;
using Palm.Messages;
using Palm.Templates.Parallel;
using Palm.Transport.Internal;

namespace Palm.Serialization;

/// <summary>
/// The one table of Palm's serializers: name, class, identifier and the types bound to each. Systems built
/// without Palm's HOCON are given them from here; a configuration that sets any of them differently (an
/// edited <c>reference.conf</c>, a user's override) is refused at start, naming the key.
/// </summary>
internal static class SerializerBindings
{
    /// <summary>One serializer: its name under <c>akka.actor.serializers</c>, its class and identifier, and the types bound to it.</summary>
    internal sealed record Row(string Name, Type Serializer, int Id, Type[] Bound);

    /// <summary>Pipeline envelopes and a parallel server's work.</summary>
    public static readonly Row Data = new("palm", typeof(PalmSerializer), PalmSerializer.Id, [typeof(Deliver), typeof(ResultBatch), typeof(WorkBatch), typeof(WorkResults)]);

    /// <summary>The lanes' own messages (registered by the lanes, which sit below this table).</summary>
    public static readonly Row Lane = new("palm-lane", typeof(LaneSerializer), LaneSerializer.Id, LaneSerializer.Types);

    /// <summary>Every <see cref="IPalmControlMessage"/>.</summary>
    public static readonly Row Control = new("palm-control", typeof(PalmControlSerializer), PalmControlSerializer.Id, [typeof(IPalmControlMessage)]);

    /// <summary>Every serializer Palm writes its messages with.</summary>
    public static readonly Row[] Rows = [Data, Lane, Control];

    /// <summary>The name a type or class has in HOCON (<c>"Namespace.Type, Assembly"</c>).</summary>
    public static string HoconName(Type type) => $"{type.FullName}, {type.Assembly.GetName().Name}";

    // Serializers that build any type a message names (Akka's JSON, remote deployment, Hyperion),
    // by their usual names and the identifiers a peer writes to ask for them.
    private static readonly (string Name, int Id)[] Unsafe = [("json", 1), ("daemon-create", 3), ("hyperion", -5)];

    /// <summary>
    /// Registers Palm's data and control serializers under the table's names, with their bindings, on
    /// <paramref name="system"/> (for systems built without Palm's HOCON), then what <c>hocon/reference.conf</c> sets up
    /// besides: every unsafe serializer replaced by a <see cref="RefusingSerializer"/> under the same name and identifier
    /// (so bytes that name it are refused), Akka.Remote's messages read without those that carry exceptions, and what has
    /// no binding of its own refused. The lane serializer is registered by the lanes themselves (Transport sits below this table).
    /// </summary>
    public static void Register(ExtendedActorSystem system)
    {
        Add(system, Data, new PalmSerializer(system), []);
        Add(system, Control, new PalmControlSerializer(system), PalmControlSerializer.Types);
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

    private static void Add(ExtendedActorSystem system, Row row, Akka.Serialization.Serializer serializer, Type[] concrete)
    {
        system.Serialization.AddSerializer(row.Name, serializer);
        foreach (var type in row.Bound.Concat(concrete)) system.Serialization.AddSerializationMap(type, serializer);
    }

    /// <summary>
    /// Checks <paramref name="config"/> against the table: where it names a Palm serializer, an identifier or a
    /// binding of a Palm type, it must be the table's. With <paramref name="complete"/>, it must also name all of them.
    /// </summary>
    /// <exception cref="ConfigurationException">A key differs from the table (or, when complete, is missing); the message names it.</exception>
    public static void Check(Config config, bool complete = false)
    {
        var serializers = Section(config, "akka.actor.serializers");
        var identifiers = Section(config, "akka.actor.serialization-identifiers");
        var bindings = Section(config, "akka.actor.serialization-bindings");
        foreach (var row in Rows)
        {
            var className = HoconName(row.Serializer);
            Expect(serializers, "akka.actor.serializers", row.Name, className, complete);
            Expect(identifiers, "akka.actor.serialization-identifiers", className, row.Id.ToString(System.Globalization.CultureInfo.InvariantCulture), complete);
            foreach (var type in row.Bound) Expect(bindings, "akka.actor.serialization-bindings", HoconName(type), row.Name, complete);
        }
    }

    private static void Expect(Dictionary<string, string> section, string path, string key, string expected, bool complete)
    {
        if (!section.TryGetValue(key, out var actual))
        {
            if (complete) throw new ConfigurationException($"{path}.\"{key}\" is missing: Palm needs it to be {expected}.");
            return;
        }
        if (actual != expected)
            throw new ConfigurationException($"{path}.\"{key}\" = {actual} contradicts Palm's serializer table, which needs {expected}: "
                + "peers would write or read these messages with another serializer. Remove the override.");
    }

    private static Dictionary<string, string> Section(Config config, string path)
    {
        var result = new Dictionary<string, string>(StringComparer.Ordinal);
        if (!config.HasPath(path)) return result;
        foreach (var (key, value) in config.GetConfig(path).AsEnumerable())
            result[key.Trim('"')] = value.GetString();
        return result;
    }
}
