using Akka.Event;
using Palm.Hosting.Internal;
using Xunit;

namespace Palm.Tests.Hosting;

public sealed class PalmConsoleLoggerTests
{
    [Fact]
    public void Only_the_lines_about_a_peer_system_going_away_are_left_out()
    {
        var gated = new Warning("akka.tcp://palm@127.0.0.1:1/system/endpointManager/reliableEndpointWriter-x", typeof(object),
            "Association with remote system akka.tcp://palm-client@127.0.0.1:2 has failed; address is now gated for 5000 ms. Reason is: [Akka.Remote.EndpointDisassociatedException: Disassociated]");
        Assert.True(PalmConsoleLogger.IsPeerDisassociation(gated));

        var userError = new Error(new InvalidOperationException("kaput"), "palm.server.w", typeof(object), "User code w.boom failed on job 1 input 2 (step 0).");
        Assert.False(PalmConsoleLogger.IsPeerDisassociation(userError));
        var otherWarning = new Warning("x", typeof(object), "Association with remote system akka.tcp://palm@h:1 has failed; Reason is: [System.Net.Sockets.SocketException]");
        Assert.False(PalmConsoleLogger.IsPeerDisassociation(otherWarning));

        var shutdown = new Error(new Akka.Remote.RemoteTransportException("Attempted to send remote message but Remoting is not running.", null),
            "akka.tcp://palm@127.0.0.1:1/system/remote-watcher", typeof(object), "swallowing exception during message send");
        Assert.True(PalmConsoleLogger.IsPeerDisassociation(shutdown));
        var otherTransport = new Error(new Akka.Remote.RemoteTransportException("Failed to bind", null), "x", typeof(object), "startup");
        Assert.False(PalmConsoleLogger.IsPeerDisassociation(otherTransport));
    }

    [Fact]
    public void During_shutdown_only_Palms_own_lines_and_user_actors_lines_count_as_Palms()
    {
        Assert.True(PalmConsoleLogger.IsPalms(new Warning("palm.server.farm", typeof(object), "Worker left")));
        Assert.True(PalmConsoleLogger.IsPalms(new Warning("akka.tcp://palm@127.0.0.1:1/user/palm", typeof(object), "refused")));
        Assert.True(PalmConsoleLogger.IsPalms(new Warning("akka.tcp://palm@127.0.0.1:1/system/cluster/core/daemon/downingProvider", typeof(object),
            "Palm downing: worker x has been unreachable for 1.0 s; downing it.")));
        Assert.False(PalmConsoleLogger.IsPalms(new Error(new InvalidOperationException("channel"), "akka.tcp://palm@127.0.0.1:1/system/transports/akkaprotocolmanager.tcp.0",
            typeof(object), "Unable to REMOVE channel")));
    }
}
