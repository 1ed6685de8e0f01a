using System.Net;
using System.Net.Http.Headers;

namespace Palm.Tests.AspNetCore;

/// <summary>A request body written by <c>write</c> as the request goes (no length: chunked over HTTP/1.1, DATA frames over HTTP/2).</summary>
public sealed class PushContent : HttpContent
{
    private readonly Func<Stream, Task> _write;

    public PushContent(Func<Stream, Task> write, string mediaType)
    {
        _write = write;
        Headers.ContentType = new MediaTypeHeaderValue(mediaType);
    }

    protected override Task SerializeToStreamAsync(Stream stream, TransportContext? context) => _write(stream);

    protected override bool TryComputeLength(out long length)
    {
        length = 0;
        return false;
    }
}
