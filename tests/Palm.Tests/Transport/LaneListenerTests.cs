using System.Buffers.Binary;
using System.Diagnostics;
using System.Net;
using System.Net.Sockets;
using Akka.Actor;
using Akka.Configuration;
using Akka.Event;
using Palm.Client;
using Palm.Configuration;
using Palm.Messages;
using Palm.Serialization;
using Palm.Transport;
using Palm.Transport.Internal;
using Palm.TestKit;
using Palm.Tests.Support;
using Xunit;
using Xunit.Abstractions;

namespace Palm.Tests.Transport;

/// <summary>
/// The receiving end of the lanes on its own, and one lane port under thousands of connections: no
/// thread per connection, no memory a peer has not sent, deadlines and caps for every connection.
/// </summary>
public sealed class LaneListenerTests : Akka.TestKit.Xunit2.TestKit
{
    private const int MaxBody = 8 * 1024 * 1024;
    private static readonly TimeSpan Wait = TimeSpan.FromSeconds(30);

    private readonly ITestOutputHelper _output;
    private readonly PalmSerializer _serializer;
    private readonly LaneInbox _inbox;
    private readonly string _target;
    private readonly Guid _secret;

    public LaneListenerTests(ITestOutputHelper output) : base(output: output)
    {
        _output = output;
        _serializer = new PalmSerializer((ExtendedActorSystem)Sys);
        _inbox = new LaneInbox((ExtendedActorSystem)Sys, _serializer, DataLanes.Get(Sys).Receivers, Logging.GetLogger(Sys, "test"));
        _target = LaneFrame.PathOf(LaneTestTargets.ClientStandIn(Sys, TestActor))!;
        // As if this system's lane actor had handed a peer its secret.
        _secret = _inbox.Identities.Issue(new Address("akka.tcp", "peer", "127.0.0.1", 1));
    }

    /// <summary>A handshake of a new session that presents the peer's secret.</summary>
    private byte[] Hello() => LaneFrame.Handshake(Guid.NewGuid(), _secret);

    private LaneListener Listen(string hocon = "") =>
        new(IPAddress.Loopback, LaneSettings.Create(ConfigurationFactory.ParseString(hocon)), MaxBody, _inbox, Logging.GetLogger(Sys, "palm-lane"));

    /// <summary>A frame for the test actor whose one result carries <paramref name="payload"/>, its input id <paramref name="seq"/>.</summary>
    private byte[] Frame(long seq, byte[] payload)
    {
        var body = _serializer.ToBinary(new ResultBatch(Guid.Empty, [new ResultItem(seq, Weights.Whole, ResultKind.Payload, payload, null)]));
        return [.. LaneFrame.Header(seq, "R", _target, null, body.Length), .. body];
    }

    private static byte[] Pattern(int size, int seed)
    {
        var bytes = new byte[size];
        new Random(seed).NextBytes(bytes);
        return bytes;
    }

    [Fact]
    public async Task Frames_of_every_size_arrive_intact_and_are_acknowledged()
    {
        using var listener = Listen();
        using var socket = await ConnectAsync(listener.Port);
        int[] sizes = [0, 1, 100_000, LaneStreamReader.FirstChunkBytes + 1, 3_000_000, 17];
        await socket.SendAsync(Hello());
        for (var i = 0; i < sizes.Length; i++)
        {
            // In pieces, so that bodies arrive over many reads and the array holding them grows.
            var frame = Frame(i + 1, Pattern(sizes[i], i));
            for (var at = 0; at < frame.Length; at += 40_000)
                await socket.SendAsync(frame.AsMemory(at, Math.Min(40_000, frame.Length - at)));
        }
        for (var i = 0; i < sizes.Length; i++)
        {
            var item = Assert.Single((await ExpectMsgAsync<ResultBatch>(Wait)).Items);
            Assert.Equal(i + 1, item.InputId);
            Assert.True(item.Payload.Span.SequenceEqual(Pattern(sizes[i], i)), $"frame {i + 1} ({sizes[i]} bytes) is corrupt");
        }
        // Acknowledgements are cumulative: they end with the last frame.
        var ack = new byte[8];
        using var timeout = new CancellationTokenSource(Wait);
        long confirmed;
        do
        {
            await socket.ReceiveAsync(ack, SocketFlags.None, timeout.Token);
            confirmed = BinaryPrimitives.ReadInt64LittleEndian(ack);
        } while (confirmed < sizes.Length);
        Assert.Equal(sizes.Length, confirmed);
    }

    [Fact]
    public async Task Connections_that_send_no_handshake_or_no_frame_are_closed_by_the_timeouts()
    {
        using var listener = Listen("palm.lane { handshake-timeout = 500ms, idle-timeout = 1500ms }");
        // Started before the first connection: every deadline comes after it.
        var clock = Stopwatch.StartNew();
        var silent = await Task.WhenAll(Enumerable.Range(0, 20).Select(_ => ConnectAsync(listener.Port)));
        var handshaken = await Task.WhenAll(Enumerable.Range(0, 20).Select(_ => ConnectAsync(listener.Port)));
        using var active = await ConnectAsync(listener.Port);
        foreach (var socket in handshaken.Append(active)) await socket.SendAsync(Hello());
        var silentClosed = silent.Select(s => ClosedAfterAsync(s, clock)).ToArray();
        var handshakenClosed = handshaken.Select(s => ClosedAfterAsync(s, clock)).ToArray();

        // A connection that sends a frame now and then outlives its idle timeout many times over.
        for (var i = 1; i <= 12; i++)
        {
            await active.SendAsync(Frame(i, [(byte)i]));
            Assert.Equal(i, Assert.Single((await ExpectMsgAsync<ResultBatch>(Wait)).Items).InputId);
            await Task.Delay(250);
        }

        // A deadline never fires early: the handshake moved it from the handshake timeout to the idle timeout.
        // Deadlines are kept in Environment.TickCount64, a coarse clock (4 ms steps on Linux), hence the tolerance.
        var tick = TimeSpan.FromMilliseconds(10);
        Assert.All(await Task.WhenAll(silentClosed), after => Assert.True(after >= TimeSpan.FromMilliseconds(500) - tick, $"closed after {after}"));
        Assert.All(await Task.WhenAll(handshakenClosed), after => Assert.True(after >= TimeSpan.FromMilliseconds(1500) - tick, $"closed after {after}"));
        await AwaitAssertAsync(() => Assert.Equal(1, listener.OpenConnections), Wait);
        await active.SendAsync(Frame(13, [13]));
        Assert.Equal(13, Assert.Single((await ExpectMsgAsync<ResultBatch>(Wait)).Items).InputId);
        foreach (var socket in silent.Concat(handshaken)) socket.Dispose();
    }

    [Fact]
    public async Task Connections_past_the_cap_are_closed_at_once_and_a_freed_place_is_taken_again()
    {
        using var listener = Listen("palm.lane { max-connections = 4, max-connections-per-address = 100 }");
        var held = (await Task.WhenAll(Enumerable.Range(0, 4).Select(_ => ConnectAsync(listener.Port)))).ToList();
        await AwaitAssertAsync(() => Assert.Equal(4, listener.OpenConnections), Wait);

        using (var extra = await ConnectAsync(listener.Port))
            await AssertClosedAsync(extra);
        Assert.Equal(1, listener.Refused);

        held[0].Dispose();
        await AwaitAssertAsync(() => Assert.Equal(3, listener.OpenConnections), Wait);
        held[0] = await ConnectAsync(listener.Port);
        await AwaitAssertAsync(() => Assert.Equal(4, listener.OpenConnections), Wait);
        Assert.Equal(1, listener.Refused);
        held.ForEach(s => s.Dispose());
        await AwaitAssertAsync(() => Assert.Equal(0, listener.OpenConnections), Wait);
    }

    [Fact]
    public async Task Connections_from_one_address_past_its_cap_are_closed_and_other_addresses_still_get_in()
    {
        using var listener = Listen("palm.lane { max-connections = 100, max-connections-per-address = 3 }");
        var held = await Task.WhenAll(Enumerable.Range(0, 3).Select(_ => ConnectAsync(listener.Port)));
        await AwaitAssertAsync(() => Assert.Equal(3, listener.OpenConnections), Wait);

        using (var extra = await ConnectAsync(listener.Port))
            await AssertClosedAsync(extra);
        Assert.Equal(1, listener.Refused);

        // Another loopback address is another peer (Linux routes all of 127.0.0.0/8 to loopback).
        using var other = await ConnectAsync(listener.Port, IPAddress.Parse("127.0.0.2"));
        await AwaitAssertAsync(() => Assert.Equal(4, listener.OpenConnections), Wait);
        Assert.Equal(1, listener.Refused);
        foreach (var socket in held) socket.Dispose();
    }

    [Fact]
    public async Task A_header_announcing_8_MiB_followed_by_nothing_allocates_no_8_MiB()
    {
        using var listener = Listen();
        var announce = LaneFrame.Header(1, "R", _target, null, MaxBody);
        var before = GC.GetTotalAllocatedBytes(true);
        for (var batch = 0; batch < 4; batch++)
        {
            await Task.WhenAll(Enumerable.Range(0, 50).Select(async _ =>
            {
                using var socket = await ConnectAsync(listener.Port);
                await socket.SendAsync(Hello().Concat(announce).ToArray());
            }));
            // Each connection ends only after the reader got past the header, where the body would be allocated.
            await AwaitAssertAsync(() => Assert.Equal(0, listener.OpenConnections), Wait);
        }
        var allocated = GC.GetTotalAllocatedBytes(true) - before;
        _output.WriteLine($"200 connections announcing 8 MiB: {allocated / 1024} KiB allocated in all");
        Assert.True(allocated < 50L * 1024 * 1024, $"200 connections announcing 8 MiB each allocated {allocated / (1024 * 1024)} MiB");
        Assert.Equal(200, listener.Accepted);
    }

    [Fact]
    public async Task Garbage_connections_write_a_bounded_number_of_log_lines()
    {
        var warnings = CreateTestProbe();
        Sys.EventStream.Subscribe(warnings.Ref, typeof(Warning));
        using var listener = Listen();
        var clock = Stopwatch.StartNew();
        for (var batch = 0; batch < 4; batch++)
            await Task.WhenAll(Enumerable.Range(0, 50).Select(async _ =>
            {
                using var socket = await ConnectAsync(listener.Port);
                await socket.SendAsync(Text.Bytes("GET / HTTP/1.1\r\nHost: palm\r\n\r\n"));
                await AssertClosedAsync(socket);
            }));

        // The line is written before the connection closes: every refusal is counted by now.
        Assert.Equal(200, listener.Log.Written + listener.Log.Suppressed);
        Assert.InRange(listener.Log.Written, 1, 1 + (long)(clock.Elapsed.TotalSeconds / 10));
        var line = await warnings.ExpectMsgAsync<Warning>(Wait);
        Assert.Contains("did not start with the lane handshake", line.Message.ToString());
    }

    [Theory]
    [InlineData("handshake-timeout = 0s")]
    [InlineData("idle-timeout = 0ms")]
    [InlineData("max-connections = 0")]
    [InlineData("max-connections-per-address = 0")]
    public void Connection_limits_out_of_range_are_refused_naming_the_key(string setting)
    {
        var e = Assert.Throws<ConfigurationException>(() => LaneSettings.Create(ConfigurationFactory.ParseString("palm.lane." + setting)));
        Assert.Contains("palm.lane." + setting.Split(' ')[0], e.Message);
        var defaults = LaneSettings.Create(PalmConfig.Reference);
        Assert.Equal((5, 600, 1024, 128), ((int)defaults.HandshakeTimeout.TotalSeconds, (int)defaults.IdleTimeout.TotalSeconds, defaults.MaxConnections, defaults.MaxConnectionsPerAddress));
    }

    [Fact]
    [Trait(TestCategories.Category, TestCategories.Cluster)]
    public async Task Thousands_of_idle_and_handshake_only_connections_cost_no_threads_and_little_memory_while_a_job_runs()
    {
        await using var cluster = await PalmTestCluster.StartAsync(ConfigurationFactory.ParseString("""
            palm.lane {
              retry-after = 200ms, min-bytes = 1 KiB
              max-connections = 5000, max-connections-per-address = 5000
              handshake-timeout = 10m, idle-timeout = 10m
            }
            """));
        var a = await cluster.StartServerAsync<WordsServer>("a");
        await cluster.StartServerAsync<SuffixServer>("b");
        var client = await cluster.ConnectClientAsync();
        await client.WaitForServersAsync(["a", "b"], Wait);
        // Lanes open and threads started before anything is measured.
        await RunExactly(client, 200);

        var listener = DataLanes.Get(a.System).Listener!;
        // Handshakes the node takes (as if its lane actor had handed this secret to a peer): they stay open.
        var secret = DataLanes.Get(a.System).Inbox!.Identities.Issue(new Address("akka.tcp", "peer", "127.0.0.1", 1));
        var open = listener.OpenConnections;
        var threads = ThreadCount();
        var memory = GC.GetTotalMemory(true);

        var sockets = new List<Socket>();
        try
        {
            for (var batch = 0; batch < 40; batch++)
                sockets.AddRange(await Task.WhenAll(Enumerable.Range(0, 100).Select(async i =>
                {
                    var socket = await ConnectAsync(listener.Port);
                    // Half say hello and nothing more; half say nothing at all.
                    if (i % 2 == 0) await socket.SendAsync(LaneFrame.Handshake(Guid.NewGuid(), secret));
                    return socket;
                })));
            await AwaitAssertAsync(() => Assert.True(listener.OpenConnections >= open + 4000, $"{listener.OpenConnections} open"), Wait);

            var threadsGrew = ThreadCount() - threads;
            var memoryGrew = GC.GetTotalMemory(true) - memory;
            _output.WriteLine($"4,000 connections: threads {threads} -> {threads + threadsGrew}, managed memory +{memoryGrew / 1024} KiB");
            Assert.True(threadsGrew <= 40, $"4,000 connections added {threadsGrew} threads");
            Assert.True(memoryGrew < 50L * 1024 * 1024, $"4,000 connections added {memoryGrew / (1024 * 1024)} MiB");

            // The node keeps serving with every connection open.
            await RunExactly(client, 500);
            Assert.True(listener.OpenConnections >= open + 4000, "connections closed before the job ended");
            Assert.True(ThreadCount() - threads <= 40, $"threads grew by {ThreadCount() - threads} during the job");
        }
        finally
        {
            sockets.ForEach(s => s.Dispose());
        }
        await AwaitAssertAsync(() => Assert.True(listener.OpenConnections <= open, $"{listener.OpenConnections} open"), Wait);
    }

    private static async Task RunExactly(Palm.Client.PalmClient client, int count)
    {
        var seen = new bool[count];
        await foreach (var r in client.RunJob(["a.echo", "b.echo"], Enumerable.Range(0, count).Select(i => Pattern(20_000, i)))
                           .WithTimeout(TimeSpan.FromSeconds(120)))
        {
            Assert.False(r.IsError, r.Error?.Message);
            var index = (int)r.InputIndex;
            Assert.False(seen[index], $"result {index} arrived twice");
            seen[index] = true;
            Assert.True(r.Payload.Span.SequenceEqual(Pattern(20_000, index)), $"result {index} is corrupt");
        }
        Assert.All(seen, Assert.True);
    }

    private static int ThreadCount()
    {
        using var process = Process.GetCurrentProcess();
        return process.Threads.Count;
    }

    private static async Task<Socket> ConnectAsync(int port, IPAddress? from = null)
    {
        var socket = new Socket(AddressFamily.InterNetwork, SocketType.Stream, ProtocolType.Tcp);
        try
        {
            if (from is not null) socket.Bind(new IPEndPoint(from, 0));
            await socket.ConnectAsync(IPAddress.Loopback, port);
            return socket;
        }
        catch
        {
            socket.Dispose();
            throw;
        }
    }

    private static async Task<TimeSpan> ClosedAfterAsync(Socket socket, Stopwatch clock)
    {
        await AssertClosedAsync(socket);
        return clock.Elapsed;
    }

    /// <summary>The listener closed the connection: an orderly end, or a reset if it closed with our bytes unread.</summary>
    private static async Task AssertClosedAsync(Socket socket)
    {
        using var timeout = new CancellationTokenSource(Wait);
        try
        {
            Assert.Equal(0, await socket.ReceiveAsync(new byte[16], SocketFlags.None, timeout.Token));
        }
        catch (SocketException e) when (e.SocketErrorCode == SocketError.ConnectionReset)
        {
            // Closed with unread bytes: also a close.
        }
    }
}
