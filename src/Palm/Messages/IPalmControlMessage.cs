namespace Palm.Messages;

/// <summary>
/// Marks a Palm message that travels between actor systems outside the data path (directory,
/// caches, status). <c>hocon/reference.conf</c> binds it to Palm's control serializer, which knows
/// each such type by an explicit manifest and builds nothing else. A type that must never leave its
/// system (one that carries an object such as a server instance) does not carry this marker.
/// </summary>
internal interface IPalmControlMessage;
