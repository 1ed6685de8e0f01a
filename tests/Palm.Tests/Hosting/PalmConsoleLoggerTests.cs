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
    public void Akkas_fallback_logger_is_Palms_on_nodes_and_clients_and_writes_only_Palms_lines()
    {
        foreach (var config in new[] { Palm.Configuration.PalmConfig.ClusterNode, Palm.Configuration.PalmConfig.Client })
            Assert.Equal(typeof(PalmStdoutLogger), Type.GetType(config.GetString("akka.stdout-logger-class")));

        var disassociated = new Error(new InvalidOperationException("Disassociated"),
            "akka://palm/system/endpointManager/reliableEndpointWriter-x/endpointWriter", typeof(object), "Disassociated");
        Assert.False(PalmStdoutLogger.Prints(disassociated));
        Assert.False(PalmStdoutLogger.Prints(new Warning("remoting (akka://palm)", typeof(object), "Shutdown finished, but flushing might not have been successful")));
        Assert.True(PalmStdoutLogger.Prints(new Warning("palm.node", typeof(object), "Palm node left the cluster.")));
    }

    [Fact]
    public void The_line_remoting_says_as_a_system_that_could_not_bind_goes_down_is_left_out_with_the_bind_error()
    {
        var abrupt = new Error(null, "remoting (akka://palm)", typeof(object), "Remoting system has been terminated abruptly. Attempting to shut down transports");
        Assert.True(PalmConsoleLogger.IsBindFailure(abrupt));
        Assert.False(PalmConsoleLogger.IsBindFailure(new Error(null, "remoting (akka://palm)", typeof(object), "Remoting error: startup failed")));
        Assert.False(PalmConsoleLogger.IsBindFailure(new Warning("remoting (akka://palm)", typeof(object), "Remoting system has been terminated abruptly.")));
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

    private static readonly string Channel = "[[::ffff:127.0.0.1]:45895->[::ffff:127.0.0.1]:50132](Id=6b364f26)";

    private static Exception NotSsl() => new DotNetty.Handlers.Tls.NotSslRecordException("not an SSL/TLS record: 3200000012");

    [Fact]
    public void A_peer_that_speaks_no_TLS_to_a_TLS_node_is_one_line_naming_the_peer_instead_of_three_events()
    {
        var caught = new Error(NotSsl(), "TcpServerHandler (akka://palm)", typeof(object), $"Error caught channel {Channel}");
        var failed = new Error(NotSsl(), "TcpServerHandler (akka://palm)", typeof(object),
            $"TLS handshake failed on channel {Channel}\nTLS handshake failed (Server side):\n  Error: not an SSL/TLS record\nServer-side TLS troubleshooting:\n  - Verify");
        var rejected = new Warning("TcpServerHandler (akka://palm)", typeof(object),
            "Rejected incoming connection from [[::ffff:127.0.0.1]:50132] due to TLS handshake failure. This is likely invalid or malicious traffic.");

        Assert.Equal(NoiseVerdict.Drop, TransportNoise.Classify(caught));
        Assert.Equal(NoiseVerdict.Drop, TransportNoise.Classify(rejected));
        var verdict = TransportNoise.Classify(failed);
        Assert.False(verdict.Print);
        Assert.Equal("tls-refused", verdict.Kind);
        Assert.Equal("palm.tls: refused a connection from 127.0.0.1:50132: it does not speak TLS (its palm.tls is off, or it is not a Palm node).", verdict.Line);
    }

    [Fact]
    public void A_certificate_the_validator_refused_is_left_to_the_validators_line()
    {
        var callback = new AggregateException(new System.Security.Authentication.AuthenticationException(
            "The remote certificate was rejected by the provided RemoteCertificateValidationCallback."));
        var failed = new Error(callback, "TcpServerHandler (akka://palm)", typeof(object), $"TLS handshake failed on channel {Channel}\nServer-side TLS troubleshooting:");
        var validator = new Warning("TcpTransport (akka://palm)", typeof(object), "palm.tls: refused the TLS peer [::ffff:127.0.0.1]:50140: certificate 'CN=x' does not chain");

        Assert.Equal(NoiseVerdict.Drop, TransportNoise.Classify(failed));
        Assert.Equal(NoiseVerdict.Keep, TransportNoise.Classify(validator));
        var noCertificate = TransportNoise.Classify(new Warning("TcpTransport (akka://palm)", typeof(object),
            "Mutual TLS required but client did not provide a certificate from [::ffff:127.0.0.1]:56016"));
        Assert.Equal("palm.tls: refused a connection from 127.0.0.1:56016: it presented no certificate (its palm.tls is off?).", noCertificate.Line);
    }

    [Fact]
    public void Bytes_that_are_not_Akkas_protocol_on_a_node_without_TLS_are_one_line_and_other_channel_errors_stay()
    {
        var tooLong = new Error(new DotNetty.Codecs.TooLongFrameException("Adjusted frame length exceeds 8388608: 16843546 - discarded"),
            "TcpServerHandler (akka://palm)", typeof(object), $"Error caught channel {Channel}");
        var verdict = TransportNoise.Classify(tooLong);
        Assert.Equal("not-akka", verdict.Kind);
        Assert.StartsWith("palm: closed a connection from 127.0.0.1:50132: it does not speak Akka.Remote's protocol", verdict.Line);

        var reset = new Error(new System.Net.Sockets.SocketException(104), "TcpServerHandler (akka://palm)", typeof(object), $"Error caught channel {Channel}");
        Assert.Equal(NoiseVerdict.Keep, TransportNoise.Classify(reset));
        Assert.Equal(NoiseVerdict.Keep, TransportNoise.Classify(new Warning("palm.server.x", typeof(object), "Worker left")));
    }

    [Fact]
    public void Akka_remotings_flush_note_as_a_client_terminates_is_left_out_so_a_programs_output_ends_with_its_own_lines()
    {
        var flush = new Warning("akka://palm-client/system/remoting-terminator", typeof(object),
            "Shutdown finished, but flushing might not have been successful and some messages might have been dropped. Increase akka.remote.flush-wait-on-shutdown to a larger value to avoid this.");
        Assert.Equal(NoiseVerdict.Drop, TransportNoise.Classify(flush));
        Assert.Equal(NoiseVerdict.Keep, TransportNoise.Classify(new Warning("akka://palm-client/system/remoting-terminator", typeof(object), "Shutdown started.")));
    }

    [Fact]
    public void A_channel_that_had_left_its_group_when_a_client_shut_down_is_left_out()
    {
        var removed = new Warning("TcpClientHandler (akka://palm-client)", typeof(object),
            $"Unable to REMOVE channel {Channel} from connection group. May not shut down cleanly.");
        Assert.Equal(NoiseVerdict.Drop, TransportNoise.Classify(removed));
    }

    [Fact]
    public void An_unreachable_address_warning_keeps_its_first_line_without_the_stack_trace()
    {
        var warning = new Warning("remoting (akka://palm-client)", typeof(object),
            "Tried to associate with unreachable remote address [akka.ssl.tcp://palm@127.0.0.1:1]. Address is now gated for 5000 ms. Reason: [Association failed] "
            + "Caused by: [Akka.Remote.Transport.InvalidAssociationException: TLS handshake failed\n ---> System.AggregateException: x\n   at Akka.Remote.Transport.DotNetty.TcpTransport.AssociateInternal(Address remoteAddress)]");

        var verdict = TransportNoise.Classify(warning);
        Assert.True(verdict.Print);
        Assert.Equal("Tried to associate with unreachable remote address [akka.ssl.tcp://palm@127.0.0.1:1]. Address is now gated for 5000 ms. Reason: [Association failed] "
                     + "Caused by: [Akka.Remote.Transport.InvalidAssociationException: TLS handshake failed]", verdict.Line);
    }
}
