using System.Net;
using System.Net.Sockets;
using Akka.Remote;
using Palm.Diagnostics;
using Xunit;

namespace Palm.Tests.Diagnostics;

/// <summary>How a failed bind is recognised and described, with the process that holds the port.</summary>
public sealed class PortInUseTests
{
    [Fact]
    public void A_listening_line_of_proc_net_tcp_yields_its_inode_for_its_port_only()
    {
        // sl local rem st tx:rx tr:when retrnsmt uid timeout inode: 127.0.0.1:4053 (0FD5) listening (0A), inode 98765.
        const string listening = "   0: 0100007F:0FD5 00000000:0000 0A 00000000:00000000 00:00000000 00000000  1000        0 98765 1 0000000000000000 100 0 0 10 0";
        const string connected = "   1: 0100007F:0FD5 0100007F:9C40 01 00000000:00000000 00:00000000 00000000  1000        0 12345 1 0000000000000000 20 4 30 10 -1";
        Assert.Equal("98765", PortInUse.ListeningInode(listening, 4053));
        Assert.Null(PortInUse.ListeningInode(listening, 4054));
        Assert.Null(PortInUse.ListeningInode(connected, 4053));
        Assert.Null(PortInUse.ListeningInode("  sl  local_address rem_address   st", 4053));
    }

    [Fact]
    public void The_bind_failure_is_found_inside_the_exceptions_Akka_wraps_it_in()
    {
        var inUse = new SocketException((int)SocketError.AddressAlreadyInUse);
        var wrapped = new AggregateException(new AggregateException(new RemoteTransportException("Failed to bind to [127.0.0.1:4053].", inUse)));
        Assert.Same(inUse, PortInUse.FindBindFailure(wrapped));
        Assert.Null(PortInUse.FindBindFailure(new AggregateException(new SocketException((int)SocketError.ConnectionRefused))));
        Assert.Null(PortInUse.FindBindFailure(new InvalidOperationException("no socket here")));
    }

    [Fact]
    public void A_port_this_process_listens_on_is_described_as_held_by_this_process()
    {
        var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        try
        {
            var port = ((IPEndPoint)listener.LocalEndpoint).Port;
            var message = PortInUse.Describe("127.0.0.1", port, "the test's listener (test.port)", new SocketException((int)SocketError.AddressAlreadyInUse));
            Assert.StartsWith($"Cannot listen on 127.0.0.1:{port} for the test's listener (test.port): the port is in use, held by ", message);
            // Linux says who; elsewhere the message still says the port is taken.
            if (OperatingSystem.IsLinux()) Assert.Contains($"held by process {Environment.ProcessId} (", message);
        }
        finally
        {
            listener.Stop();
        }
    }

    [Fact]
    public void A_port_nobody_listens_on_is_held_by_another_process_as_far_as_anyone_can_see()
    {
        var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        var port = ((IPEndPoint)listener.LocalEndpoint).Port;
        listener.Stop();
        Assert.Equal("held by another process", PortInUse.HolderOf(port));
    }

    [Fact]
    public void An_address_that_is_not_this_machines_is_named_as_such()
    {
        var message = PortInUse.Describe("10.255.255.1", 4053, "Akka.Remote (akka.remote.dot-netty.tcp.port)", new SocketException((int)SocketError.AddressNotAvailable));
        Assert.Contains("Cannot listen on 10.255.255.1:4053", message);
        Assert.Contains("10.255.255.1 is not an address of this machine", message);
    }
}
