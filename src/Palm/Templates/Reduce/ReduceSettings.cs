using Akka.Configuration;
using Palm.Configuration;

namespace Palm.Templates.Reduce;

/// <summary>
/// The windows of a <see cref="Servers.ReduceServer"/> (<c>palm.reduce.*</c>, per server under <c>palm.reduce.servers.NAME</c>):
/// after how many folded messages, or after how much time, a reduce emits what it holds for a job and starts afresh.
/// Neither set: one result per job (per key), when the job is complete at that step.
/// </summary>
/// <param name="WindowMessages">Emit after this many messages were folded for a job at a step (0: no count window).</param>
/// <param name="WindowTime">Emit what a job's folds hold this often (zero: no time window).</param>
public sealed record ReduceSettings(int WindowMessages, TimeSpan WindowTime)
{
    /// <summary>
    /// Reads the settings of server <paramref name="server"/>: <c>palm.reduce.servers.NAME</c> over the class's own values
    /// (<paramref name="messages"/>, <paramref name="time"/>, null when the class sets none) over <c>palm.reduce</c>.
    /// </summary>
    /// <exception cref="ConfigurationException">A malformed or negative value; the message names the key.</exception>
    public static ReduceSettings Create(Config config, string server, int? messages = null, TimeSpan? time = null)
    {
        var reduce = new SettingsReader(config, "palm.reduce");
        var own = new SettingsReader(config, $"palm.reduce.servers.{server}");
        var settings = new ReduceSettings(
            own.Has("window-messages") ? own.Int("window-messages", 0) : messages ?? reduce.Int("window-messages", 0),
            own.Has("window-time") ? own.Duration("window-time", zeroAllowed: true) : time ?? reduce.Duration("window-time", zeroAllowed: true));
        // The keys are checked as they are read; what is left to check are the class's own values.
        if (settings.WindowMessages < 0 || settings.WindowTime < TimeSpan.Zero)
            throw new ConfigurationException($"The windows of reduce server '{server}' must not be negative (WindowMessages = {settings.WindowMessages}, WindowTime = {settings.WindowTime}).");
        return settings;
    }
}
