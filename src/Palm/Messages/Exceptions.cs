namespace Palm.Messages;

/// <summary>A route is malformed or names a server or function the cluster does not have.</summary>
public sealed class PalmRouteException(string message) : ArgumentException(message);

/// <summary>An evaluation returned an error result instead of a payload.</summary>
public sealed class PalmFunctionException(PalmError error) : Exception(error.ToString())
{
    /// <summary>The error result that reached the client.</summary>
    public PalmError Error { get; } = error;
}

/// <summary>A job could not finish: a server on its route disappeared, or the client lost its contact node.</summary>
public sealed class PalmJobFailedException(string message) : Exception(message);

/// <summary>A server class or server start request is invalid (bad signature, duplicate function, bad name).</summary>
public sealed class PalmConfigurationException(string message) : Exception(message);
