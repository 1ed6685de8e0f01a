namespace Palm.Discovery;

/// <summary>
/// The one way an actor looks a server up in its node's directory: the entry point of a name (<see cref="TryFind"/>)
/// or the leader of a parallel server (<see cref="LeaderOf"/>), remembered until the directory changes, so that a
/// dense stream to one server costs no dictionary lookup. One actor's: not thread-safe.
/// </summary>
internal sealed class DirectoryLookup(DirectoryView view)
{
    private DirectorySnapshot? _snapshot;
    private string? _name;
    private ServerEntry? _entry;

    /// <summary>The entry point of server <paramref name="name"/> in the current directory (<see cref="DirectorySnapshot.TryGet"/>).</summary>
    public bool TryFind(string name, out ServerEntry entry)
    {
        var snapshot = view.Current;
        if (!ReferenceEquals(snapshot, _snapshot) || !string.Equals(name, _name, StringComparison.Ordinal))
        {
            snapshot.TryGet(name, out var found);
            (_snapshot, _name, _entry) = (snapshot, name, found);
        }
        entry = _entry!;
        return _entry is not null;
    }

    /// <summary>The leader of parallel server <paramref name="name"/> in the current directory; null while none is listed.</summary>
    public Akka.Actor.IActorRef? LeaderOf(string name) => TryFind(name, out var entry) ? DirectorySnapshot.LeaderIn(entry) : null;
}
