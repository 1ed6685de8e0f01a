namespace Palm.Discovery;

/// <summary>The node's current directory, written by the node actor and read lock-free by every server actor.</summary>
internal sealed class DirectoryView
{
    public DirectorySnapshot Current { get => Volatile.Read(ref field); set => Volatile.Write(ref field, value); } = DirectorySnapshot.Empty;

    /// <summary>Waits until every server in <paramref name="names"/> is listed (and, when asked, has enough workers).</summary>
    /// <exception cref="TimeoutException">Some are still missing after <paramref name="timeout"/>.</exception>
    public async Task WaitForAsync(IEnumerable<string> names, TimeSpan timeout, string where, int minWorkers = 0)
    {
        var wanted = names.ToArray();
        var deadline = DateTime.UtcNow + timeout;
        while (true)
        {
            var current = Current;
            var missing = wanted.Where(n => !current.TryGet(n, out _) || current.WorkersOf(n).Count < minWorkers).ToArray();
            if (missing.Length == 0) return;
            if (DateTime.UtcNow > deadline)
                throw new TimeoutException($"Servers missing from the directory of {where} after {timeout}: {string.Join(", ", missing)}"
                    + (minWorkers > 0 ? $" (each needs {minWorkers} workers)." : "."));
            // Membership changes take milliseconds to seconds; polling a volatile field is cheap and keeps this free of subscriptions.
            await Task.Delay(20);
        }
    }
}
