using System.Net;
using System.Net.Sockets;

namespace Palm.Tests.Support;

/// <summary>Ports for tests about a fixed port: picked by the OS, so no two tests collide.</summary>
public static class FreePorts
{
    /// <summary>A loopback port nothing listens on now (the OS picked it, and it was released).</summary>
    public static int Unused()
    {
        using var listener = Hold();
        return ((IPEndPoint)listener.Server.LocalEndPoint!).Port;
    }

    /// <summary>A listener on a loopback port the OS picked, holding it until disposed.</summary>
    public static HeldPort Hold() => new();

    /// <summary>A loopback port held by this process (a plain listener, no address reuse).</summary>
    public sealed class HeldPort : IDisposable
    {
        private readonly TcpListener _listener = new(IPAddress.Loopback, 0);

        internal HeldPort() => _listener.Start();

        /// <summary>The listening socket.</summary>
        public Socket Server => _listener.Server;

        /// <summary>The port held.</summary>
        public int Port => ((IPEndPoint)_listener.LocalEndpoint).Port;

        /// <inheritdoc />
        public void Dispose() => _listener.Stop();
    }
}
