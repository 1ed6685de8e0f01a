using System.Runtime.CompilerServices;

namespace Palm.Tests.Support;

public static class AsyncEnumerableExtensions
{
    /// <summary>Bounds a whole enumeration in time: a hung job fails the test instead of hanging it.</summary>
    public static async IAsyncEnumerable<T> WithTimeout<T>(this IAsyncEnumerable<T> source, TimeSpan timeout,
        [EnumeratorCancellation] CancellationToken cancellationToken = default)
    {
        using var cts = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        cts.CancelAfter(timeout);
        await using var e = source.WithCancellation(cts.Token).GetAsyncEnumerator();
        while (true)
        {
            bool more;
            try
            {
                more = await e.MoveNextAsync();
            }
            catch (OperationCanceledException) when (cts.IsCancellationRequested && !cancellationToken.IsCancellationRequested)
            {
                throw new TimeoutException($"The job did not complete within {timeout}.");
            }
            if (!more) yield break;
            yield return e.Current;
        }
    }
}
