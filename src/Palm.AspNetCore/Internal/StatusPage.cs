using Microsoft.AspNetCore.Http;

namespace Palm.AspNetCore.Internal;

/// <summary>The status page: plain HTML, CSS and JavaScript embedded in the assembly, polling <c>status</c> and <c>jobs</c> itself.</summary>
internal static class StatusPage
{
    private static readonly Dictionary<string, (string Type, byte[] Bytes)> Files = Load();

    private static Dictionary<string, (string Type, byte[] Bytes)> Load()
    {
        var assembly = typeof(StatusPage).Assembly;
        var files = new Dictionary<string, (string, byte[])>(StringComparer.Ordinal);
        foreach (var (name, type) in new[] { ("index.html", "text/html; charset=utf-8"), ("status.css", "text/css; charset=utf-8"), ("status.js", "text/javascript; charset=utf-8") })
        {
            using var stream = assembly.GetManifestResourceStream("Palm.AspNetCore.StatusPage." + name)
                ?? throw new InvalidOperationException($"The status page's {name} is missing from {assembly.GetName().Name}.");
            using var bytes = new MemoryStream();
            stream.CopyTo(bytes);
            files[name] = (type, bytes.ToArray());
        }
        return files;
    }

    /// <summary><c>GET {prefix}/</c>. Without its trailing slash, a redirect to it: the page fetches <c>status</c> and <c>jobs</c> relative to itself.</summary>
    public static Task IndexAsync(HttpContext context)
    {
        var path = context.Request.PathBase + context.Request.Path;
        if (!path.HasValue || !path.Value!.EndsWith('/'))
        {
            context.Response.Redirect(path + "/" + context.Request.QueryString);
            return Task.CompletedTask;
        }
        return SendAsync(context, "index.html");
    }

    /// <summary><c>GET {prefix}/assets/{name}</c>: the page's stylesheet and script.</summary>
    public static Task AssetAsync(HttpContext context, string name)
    {
        if (name == "index.html" || !Files.ContainsKey(name))
        {
            context.Response.StatusCode = StatusCodes.Status404NotFound;
            return Task.CompletedTask;
        }
        return SendAsync(context, name);
    }

    private static Task SendAsync(HttpContext context, string name)
    {
        var (type, bytes) = Files[name];
        context.Response.ContentType = type;
        context.Response.ContentLength = bytes.Length;
        context.Response.Headers.CacheControl = "no-cache";
        return context.Response.Body.WriteAsync(bytes, context.RequestAborted).AsTask();
    }
}
