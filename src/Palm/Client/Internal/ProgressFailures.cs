using Palm.Discovery;
using Palm.Messages;

namespace Palm.Client.Internal;

/// <summary>The errors of a job that stopped making progress: what the client knows of where its inputs are.</summary>
internal static class ProgressFailures
{
    private const int IdsShown = 5;

    /// <summary>A server of the route did not answer a status request after the job had waited a progress-timeout.</summary>
    public static PalmJobFailedException Silent(JobState job, ServerEntry silent, TimeSpan askTimeout) => job.FailureAt(silent.Name,
        $"Job {job.Header.JobId} failed: {Quiet(job, job.ProgressTimeout)} while {Outstanding(job)}, "
        + $"and server '{silent.Name}' ({silent.Node}) on the route did not answer a status request within {Seconds(askTimeout)}: "
        + "it is stuck in a call that does not return, overloaded, or unreachable.");

    /// <summary>Every server answered, and still nothing arrived for another progress-timeout.</summary>
    public static PalmJobFailedException Lost(JobState job, DirectorySnapshot directory)
    {
        var route = job.Header.Route;
        var servers = string.Join(", ", route.Select(s => s.Server).Distinct().Select(s => $"'{s}'"));
        var first = route[0];
        var where = directory.TryGet(first.Server, out var entry) ? $" ({entry.Node})" : "";
        return job.FailureAt(first.Server, $"Job {job.Header.JobId} failed: {Quiet(job, job.ProgressTimeout * 2)} although every server on the route "
            + $"({servers}) answered a status request; {Outstanding(job)}. The client sent them to server '{first.Server}'{where} "
            + $"for step 0 ({first}) and has heard nothing of them since: they or their results were lost in transit.");
    }

    /// <summary>A branch's server left; the other branches have gone quiet since: what that branch held is lost.</summary>
    public static PalmJobFailedException BranchLost(JobState job)
    {
        var (server, why) = job.DeadBranch!.Value;
        return job.FailureAt(server, $"Job {job.Header.JobId} failed: {why}, and nothing came back for {Seconds(job.ProgressTimeout)} since; {Outstanding(job)}.");
    }

    private static string Quiet(JobState job, TimeSpan time) =>
        $"nothing of input {job.OldestMark().Input} (its oldest outstanding) came back for {Seconds(time)}";

    private static string Outstanding(JobState job)
    {
        var owed = job.Owed;
        var ids = job.FirstOutstanding(IdsShown);
        var list = string.Join(", ", ids) + (owed > ids.Count ? ", ..." : "");
        return owed == 1 ? $"1 input was outstanding (input {list})" : $"{owed} inputs were outstanding (inputs {list})";
    }

    private static string Seconds(TimeSpan t) => $"{t.TotalSeconds:0.###} s";
}
