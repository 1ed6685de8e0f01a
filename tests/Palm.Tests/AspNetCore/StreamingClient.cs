using System.Net.Sockets;
using System.Text;

namespace Palm.Tests.AspNetCore;

/// <summary>
/// A client that reads while it uploads, as a browser's streaming fetch or curl does (HttpClient over HTTP/1.1 waits for
/// its upload to end before it hands over a 200 response, so this is a raw HTTP/1.1 client on a socket): it posts an
/// endless chunked body of frames to a job, reads the response as it comes, and leaves when disposed.
/// </summary>
public sealed class StreamingClient : IAsyncDisposable
{
    private readonly TcpClient _tcp;
    private readonly CancellationTokenSource _leave = new();
    private readonly Task _upload, _download;
    private long _received;

    private StreamingClient(TcpClient tcp, Func<int, byte[]> payload, TimeSpan pace)
    {
        _tcp = tcp;
        var stream = tcp.GetStream();
        _upload = Task.Run(async () =>
        {
            for (var i = 0; !_leave.IsCancellationRequested; i += 64)
            {
                var frames = Enumerable.Range(i, 64).SelectMany(n => PalmFrames.Input(payload(n))).ToArray();
                await stream.WriteAsync(Encoding.ASCII.GetBytes($"{frames.Length:x}\r\n").Concat(frames).Concat("\r\n"u8.ToArray()).ToArray(), _leave.Token);
                // The source's pace, not synchronization: a job a person can watch progress.
                if (pace > TimeSpan.Zero) await Task.Delay(pace, _leave.Token);
            }
        });
        _download = Task.Run(async () =>
        {
            var buffer = new byte[64 * 1024];
            int read;
            while ((read = await stream.ReadAsync(buffer, _leave.Token)) > 0) Interlocked.Add(ref _received, read);
        });
    }

    /// <summary>Bytes of the response received so far (head included).</summary>
    public long Received => Interlocked.Read(ref _received);

    /// <summary>Starts a job at <paramref name="path"/> (e.g. <c>/palm/jobs/w.upper?total=100</c>) with input <c>i</c> = <paramref name="payload"/>(i), 64 inputs per <paramref name="pace"/>.</summary>
    public static async Task<StreamingClient> StartAsync(Uri server, string path, Func<int, byte[]> payload, TimeSpan pace = default)
    {
        var tcp = new TcpClient();
        await tcp.ConnectAsync(server.Host, server.Port);
        await tcp.GetStream().WriteAsync(Encoding.ASCII.GetBytes(
            $"POST {path} HTTP/1.1\r\nHost: {server.Authority}\r\nContent-Type: application/x-palm-frames\r\nTransfer-Encoding: chunked\r\n\r\n"));
        return new StreamingClient(tcp, payload, pace);
    }

    /// <summary>Leaves: the connection closes mid-job.</summary>
    public async ValueTask DisposeAsync()
    {
        await _leave.CancelAsync();
        _tcp.Dispose();
        try
        {
            await Task.WhenAll(_upload, _download);
        }
        catch (Exception e) when (e is OperationCanceledException or IOException or SocketException or ObjectDisposedException)
        {
            // Torn down on purpose.
        }
        _leave.Dispose();
    }
}
