using Akka.Actor;
using Akka.Routing;

namespace Palm.Templates.Parallel.Internal;

/// <summary>
/// The leader's routing logic: the routee with the most free credit, ties taken in turn; none when
/// every worker is full, which is the signal to wait for results. Akka.NET 1.5 has no work-pulling
/// router, and its pool and group routers get no word back from their routees, so they cannot be fair
/// to workers of different speeds; credit is that word.
/// </summary>
internal sealed class CreditRoutingLogic : RoutingLogic
{
    private uint _turn;

    public override Routee Select(object message, Routee[] routees)
    {
        if (routees.Length == 0) return Routee.NoRoutee;
        var start = (int)(_turn++ % (uint)routees.Length);
        Routee best = Routee.NoRoutee;
        var bestFree = 0;
        for (var i = 0; i < routees.Length; i++)
        {
            var routee = (WorkerRoutee)routees[(start + i) % routees.Length];
            if (routee.Free > bestFree)
            {
                best = routee;
                bestFree = routee.Free;
            }
        }
        return best;
    }
}
