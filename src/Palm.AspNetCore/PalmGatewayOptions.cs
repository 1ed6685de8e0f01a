namespace Palm.AspNetCore;

/// <summary>How the endpoints of <see cref="PalmEndpointRouteBuilderExtensions.MapPalm"/> run jobs (set through <see cref="PalmGatewayServiceCollectionExtensions.AddPalmGateway"/>).</summary>
public sealed class PalmGatewayOptions
{
    /// <summary>
    /// Bytes of a streamed job's results the gateway keeps in memory while its client does not read them (default 256 KiB);
    /// beyond that they go to a temporary file, so a job never waits on a client that uploads everything before reading.
    /// </summary>
    public int SpoolMemoryBytes { get; set; } = 256 * 1024;

    /// <summary>Where spool files go (default: the system's temporary folder). Each is deleted when its job ends.</summary>
    public string? SpoolDirectory { get; set; }

    /// <summary>
    /// The progress timeout of the gateway's jobs (<c>JobOptions.ProgressTimeout</c>); null: the client's
    /// <c>palm.client.progress-timeout</c>. A job that makes no progress for it fails with 503 (or a failure frame).
    /// </summary>
    public TimeSpan? ProgressTimeout { get; set; }
}
