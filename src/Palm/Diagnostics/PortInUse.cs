using System.Globalization;
using System.Net.Sockets;

namespace Palm.Diagnostics;

/// <summary>
/// Says why a listener could not bind, and, where the OS tells, who holds the port: one wording for
/// every port Palm listens on (Akka.Remote's, the data lane's), in nodes and clients alike.
/// </summary>
internal static class PortInUse
{
    /// <summary>Longest command line quoted in a message: enough to recognise the process.</summary>
    private const int MaxCommandLine = 200;

    /// <summary>
    /// The socket error in <paramref name="e"/> or its inner exceptions (Akka wraps it in several
    /// <see cref="AggregateException"/>s and a transport exception) that means the address cannot be
    /// bound: the port is taken, or the host is not this machine's. Null for any other failure.
    /// </summary>
    public static SocketException? FindBindFailure(Exception? e)
    {
        var pending = new Stack<Exception>();
        if (e is not null) pending.Push(e);
        while (pending.TryPop(out var current))
        {
            if (current is SocketException { SocketErrorCode: SocketError.AddressAlreadyInUse or SocketError.AddressNotAvailable } socket)
                return socket;
            if (current is AggregateException aggregate)
                foreach (var inner in aggregate.InnerExceptions) pending.Push(inner);
            else if (current.InnerException is not null)
                pending.Push(current.InnerException);
        }
        return null;
    }

    /// <summary>
    /// The message for a failed bind of <paramref name="host"/>:<paramref name="port"/> by
    /// <paramref name="listener"/> (what listens, and the key that sets its port).
    /// </summary>
    public static string Describe(string host, int port, string listener, SocketException failure)
    {
        var where = $"Cannot listen on {host}:{port} for {listener}";
        if (failure.SocketErrorCode == SocketError.AddressNotAvailable)
            return $"{where}: {host} is not an address of this machine ({failure.Message}); bind to one of its addresses (--host).";
        return $"{where}: the port is in use, {HolderOf(port)}. Stop that process or choose another port.";
    }

    /// <summary>
    /// Who listens on TCP <paramref name="port"/>: "held by process PID (command line)" where the OS
    /// shows it (Linux: the listening socket's inode in /proc/net/tcp[6], then the process with a
    /// descriptor on that socket), else "held by another process".
    /// </summary>
    public static string HolderOf(int port)
    {
        try
        {
            if (OperatingSystem.IsLinux() && FindListener(port) is { } holder)
                return $"held by process {holder.Pid.ToString(CultureInfo.InvariantCulture)} ({holder.CommandLine})";
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException or FormatException)
        {
            // Best effort: /proc may be missing, or another user's process hidden from this one.
        }
        return "held by another process";
    }

    private static (int Pid, string CommandLine)? FindListener(int port)
    {
        var inodes = new HashSet<string>(StringComparer.Ordinal);
        foreach (var table in new[] { "/proc/net/tcp", "/proc/net/tcp6" })
            if (File.Exists(table))
                foreach (var line in File.ReadLines(table).Skip(1))
                    if (ListeningInode(line, port) is { } inode) inodes.Add(inode);
        if (inodes.Count == 0) return null;
        foreach (var dir in Directory.EnumerateDirectories("/proc"))
        {
            if (!int.TryParse(Path.GetFileName(dir), NumberStyles.None, CultureInfo.InvariantCulture, out var pid)) continue;
            if (HoldsSocket(dir, inodes)) return (pid, CommandLine(dir));
        }
        return null;
    }

    /// <summary>
    /// The inode of a /proc/net/tcp line (<c>sl local rem st tx:rx tr:when retrnsmt uid timeout inode ...</c>)
    /// if it is a listening socket (state 0A) on <paramref name="port"/> (hex after the colon of the local address).
    /// </summary>
    internal static string? ListeningInode(string line, int port)
    {
        var fields = line.Split(' ', StringSplitOptions.RemoveEmptyEntries);
        if (fields.Length < 10 || fields[3] != "0A") return null;
        var colon = fields[1].LastIndexOf(':');
        if (colon < 0 || !int.TryParse(fields[1].AsSpan(colon + 1), NumberStyles.HexNumber, CultureInfo.InvariantCulture, out var local)) return null;
        return local == port ? fields[9] : null;
    }

    private static bool HoldsSocket(string processDir, HashSet<string> inodes)
    {
        try
        {
            foreach (var fd in Directory.EnumerateFileSystemEntries(Path.Combine(processDir, "fd")))
            {
                var target = new FileInfo(fd).LinkTarget;
                if (target is not null && target.StartsWith("socket:[", StringComparison.Ordinal) && inodes.Contains(target[8..^1]))
                    return true;
            }
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            // Another user's process, or one that just ended.
        }
        return false;
    }

    private static string CommandLine(string processDir)
    {
        try
        {
            var text = File.ReadAllText(Path.Combine(processDir, "cmdline")).Replace('\0', ' ').ReplaceLineEndings(" ").Trim();
            if (text.Length == 0) return "command line not readable";
            return text.Length <= MaxCommandLine ? text : text[..MaxCommandLine] + "...";
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            return "command line not readable";
        }
    }
}
