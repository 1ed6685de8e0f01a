namespace Palm.Bench.Common;

/// <summary>Waiting for a run to finish without hanging forever when messages are lost.</summary>
public static class Completion
{
    /// <summary>
    /// Waits for <paramref name="done"/>; gives up (without throwing) once <paramref name="progress"/> has not
    /// moved for <paramref name="stall"/>, so a run that lost messages still reports what arrived.
    /// </summary>
    public static async Task<bool> WaitOrStall(Task done, Func<long> progress, TimeSpan stall)
    {
        var last = progress();
        var lastMove = DateTime.UtcNow;
        while (!done.IsCompleted)
        {
            await Task.WhenAny(done, Task.Delay(200));
            var now = progress();
            if (now != last) (last, lastMove) = (now, DateTime.UtcNow);
            else if (DateTime.UtcNow - lastMove > stall) return false;
        }
        await done;
        return true;
    }
}
