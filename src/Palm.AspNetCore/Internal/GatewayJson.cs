using System.Text.Json;

namespace Palm.AspNetCore.Internal;

/// <summary>The one JSON setting of the gateway: the web's (camelCase), so the status page and scripts read one shape.</summary>
internal static class GatewayJson
{
    public static readonly JsonSerializerOptions Options = new(JsonSerializerDefaults.Web);
}
