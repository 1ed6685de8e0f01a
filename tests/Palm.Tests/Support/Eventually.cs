namespace Palm.Tests.Support;

/// <summary>
/// TestKit's AwaitAssert for tests that are not TestKits: retries an assertion until it passes or the
/// time is up (then its last failure is thrown). The one polling loop of the tests, written once.
/// </summary>
public static class Eventually
{
    private static readonly TimeSpan Interval = TimeSpan.FromMilliseconds(20);

    /// <summary>Retries <paramref name="assertion"/> until it passes, for at most <paramref name="timeout"/>.</summary>
    public static Task AssertAsync(Action assertion, TimeSpan timeout) =>
        AssertAsync(() =>
        {
            assertion();
            return Task.CompletedTask;
        }, timeout);

    /// <summary>Retries <paramref name="assertion"/> until it completes without throwing, for at most <paramref name="timeout"/>.</summary>
    public static async Task AssertAsync(Func<Task> assertion, TimeSpan timeout)
    {
        var deadline = DateTime.UtcNow + timeout;
        while (true)
        {
            try
            {
                await assertion();
                return;
            }
            catch (Exception) when (DateTime.UtcNow < deadline)
            {
                await Task.Delay(Interval);
            }
        }
    }
}
