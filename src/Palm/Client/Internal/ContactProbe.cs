using System.Diagnostics;
using System.Globalization;
using System.Net;
using System.Net.Sockets;
using Akka.Actor;
using Akka.Remote;
using Palm.Configuration;
using Palm.Messages;
using Palm.Security;
using Palm.Security.Internal;

namespace Palm.Client.Internal;

/// <summary>
/// Finds the contact node's actor for <see cref="PalmClient.ConnectAsync(string, Akka.Configuration.Config?, CancellationToken)"/>;
/// when the node does not answer, it looks itself and says why within seconds (a <see cref="PalmConnectException"/>),
/// since Akka.Remote tells the dialling side little (docs/internals.md#contactprobe).
/// </summary>
internal static class ContactProbe
{
    /// <summary>How long a node may take to answer before the probe looks why (an answer on loopback takes milliseconds).</summary>
    private static readonly TimeSpan QuickAnswer = TimeSpan.FromSeconds(1);

    /// <summary>How long the probe looks for a cause at least, even when little or nothing is left of <c>palm.connect-timeout</c>.</summary>
    private static readonly TimeSpan ShortestLook = TimeSpan.FromSeconds(3.5);

    /// <summary>The node actor at <paramref name="path"/>.</summary>
    /// <exception cref="PalmConnectException">It did not answer; the message names why and the time it took (measured by <paramref name="clock"/>).</exception>
    public static async Task<IActorRef> ResolveAsync(ActorSystem system, ActorPath path, PalmSettings settings, Stopwatch clock, CancellationToken cancellationToken)
    {
        var contact = path.Address;
        var own = ((ExtendedActorSystem)system).Provider.DefaultAddress;
        var tls = PalmTls.GetSettings(system);
        if (contact.Host is null || contact.Port is not { } port)
            throw new ArgumentException($"The contact '{path}' names no host and port; a contact reads akka.tcp://{settings.SystemName}@host:port.");
        if (contact.Protocol != own.Protocol)
            throw Failure(contact, clock, await ProtocolMismatch(contact, own, tls, cancellationToken).ConfigureAwait(false));

        using var watch = new AssociationWatch(system, contact);
        var identify = system.ActorSelection(path).Ask<ActorIdentity>(new Identify(null), settings.ConnectTimeout, cancellationToken);
        await Task.WhenAny(identify, Task.Delay(QuickAnswer, cancellationToken)).ConfigureAwait(false);
        cancellationToken.ThrowIfCancellationRequested();
        if (Answer(identify) is { } quick) return quick;

        var failedAtOnce = identify.IsCompleted;
        // Whichever way this ends (a node that answers late included), the looking stops with it.
        using var looking = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        try
        {
            var left = settings.ConnectTimeout - clock.Elapsed;
            var lookFor = left > ShortestLook ? left : ShortestLook;
            var diagnosis = DiagnoseAsync(system, path, settings.SystemName, lookFor, tls, watch,
                probeTls: tls.Enabled || failedAtOnce, looking.Token);
            await Task.WhenAny(identify, diagnosis).ConfigureAwait(false);
            if (Answer(identify) is { } node) return node;
            if (!identify.IsCompleted)
            {
                if (await diagnosis.ConfigureAwait(false) is { } found) throw Failure(contact, clock, found);
                // Nothing wrong to be seen: a slow node keeps the rest of palm.connect-timeout.
                await ((Task)identify).ContinueWith(_ => { }, TaskScheduler.Default).ConfigureAwait(false);
                cancellationToken.ThrowIfCancellationRequested();
                if (Answer(identify) is { } late) return late;
            }
            cancellationToken.ThrowIfCancellationRequested();
            var cause = await diagnosis.ConfigureAwait(false) ?? Unanswered(path, identify, watch, settings, clock);
            throw Failure(contact, clock, cause);
        }
        finally
        {
            await looking.CancelAsync().ConfigureAwait(false);
        }
    }

    private static IActorRef? Answer(Task<ActorIdentity> identify) => identify.IsCompletedSuccessfully ? identify.Result.Subject : null;

    private static PalmConnectException Failure(Address contact, Stopwatch clock, string cause) =>
        new($"Cannot connect to {contact} (after {Seconds(clock)}): {cause}");

    private static string Seconds(Stopwatch clock) => string.Create(CultureInfo.InvariantCulture, $"{clock.Elapsed.TotalSeconds:0.0#} s");

    private static async Task<string?> DiagnoseAsync(ActorSystem system, ActorPath path, string configuredName, TimeSpan deadline,
        PalmTlsSettings tls, AssociationWatch watch, bool probeTls, CancellationToken cancellationToken)
    {
        var contact = path.Address;
        // An association that came up proves the port and TLS fine: only the names can be wrong. Both looks run
        // at once (the port's bounded by TransportCheck.Timeout, the names' by the deadline), and the first cause found is the answer.
        var port = watch.Associated
            ? Task.FromResult<string?>(null)
            : TransportCheck.FindCauseAsync(contact.Host!, contact.Port!.Value, tls, probeTls, cancellationToken);
        var names = OtherNamesAsync(system, path, configuredName, deadline, cancellationToken);
        var first = await Task.WhenAny(port, names).ConfigureAwait(false);
        return await first.ConfigureAwait(false) ?? await (first == port ? names : port).ConfigureAwait(false);
    }

    /// <summary>
    /// Asks the addresses the node likely has at the contact's port for the node actor until <paramref name="deadline"/>;
    /// names the first that answers.
    /// </summary>
    private static async Task<string?> OtherNamesAsync(ActorSystem system, ActorPath path, string configuredName, TimeSpan deadline, CancellationToken cancellationToken)
    {
        var contact = path.Address;
        var names = new[] { contact.System, configuredName, "palm" }.Where(n => n.Length > 0).Distinct().ToArray();
        var hosts = new List<string> { contact.Host! };
        try
        {
            var addresses = await Dns.GetHostAddressesAsync(contact.Host!, cancellationToken).ConfigureAwait(false);
            hosts.AddRange(addresses.Where(a => a.AddressFamily == AddressFamily.InterNetwork).Select(a => a.ToString()));
            if (addresses.Any(IPAddress.IsLoopback)) hosts.Add("localhost");
        }
        catch (SocketException)
        {
            // A name that does not resolve could not have been dialled either; its own name is all there is to try.
        }
        var candidates = names.SelectMany(n => hosts.Distinct(StringComparer.OrdinalIgnoreCase).Select(h => new Address(contact.Protocol, n, h, contact.Port)))
            .Where(a => !a.Equals(contact)).Take(4).ToList();
        // The losers stop asking as soon as one candidate answers: each holds an actor system of its own.
        using var asking = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        asking.CancelAfter(deadline);
        var asks = candidates.Select(a => IdentifyFromOwnSystemAsync(system, new RootActorPath(a) / path.Elements, asking.Token)).ToList();
        try
        {
            while (asks.Count > 0)
            {
                var done = await Task.WhenAny(asks).ConfigureAwait(false);
                var index = asks.IndexOf(done);
                if (done.IsCompletedSuccessfully && done.Result) return Differences(contact, candidates[index]);
                asks.RemoveAt(index);
                candidates.RemoveAt(index);
            }
            return null;
        }
        finally
        {
            await asking.CancelAsync().ConfigureAwait(false);
            await Task.WhenAll(asks).ContinueWith(_ => { }, TaskScheduler.Default).ConfigureAwait(false);
        }
    }

    /// <summary>A prober dials again soon after a failed association attempt, instead of after Akka's 5 s gate.</summary>
    private static readonly Akka.Configuration.Config ProberConfig = Akka.Configuration.ConfigurationFactory.ParseString("akka.remote.retry-gate-closed-for = 100ms");

    /// <summary>Whether a node actor answers at <paramref name="candidate"/>, asked from an actor system of its own.</summary>
    private static async Task<bool> IdentifyFromOwnSystemAsync(ActorSystem client, ActorPath candidate, CancellationToken cancellationToken)
    {
        // On a thread of its own: creating an actor system blocks until its remoting listens (pool threads starved).
        var prober = await Task.Factory.StartNew(() => PalmTls.CreateActorSystem(client.Name + "-probe", ProberConfig.WithFallback(client.Settings.Config)),
            CancellationToken.None, TaskCreationOptions.LongRunning, TaskScheduler.Default).ConfigureAwait(false);
        try
        {
            return await IdentifyAsync(prober.ActorSelection(candidate), cancellationToken).ConfigureAwait(false) is not null;
        }
        finally
        {
            await prober.Terminate().ConfigureAwait(false);
        }
    }

    /// <summary>How long the attempts of <see cref="IdentifyAsync"/> wait; the last one repeats.</summary>
    private static readonly TimeSpan[] IdentifySlots =
        [TimeSpan.FromMilliseconds(250), TimeSpan.FromMilliseconds(500), TimeSpan.FromMilliseconds(1000), TimeSpan.FromMilliseconds(2000)];

    /// <summary>
    /// Asks <paramref name="selection"/> to identify itself in <see cref="IdentifySlots"/> until it answers or
    /// <paramref name="cancellationToken"/> ends the asking (then null): Akka.Remote delivers at most once, and an
    /// association being gated answers at once with nothing.
    /// </summary>
    private static async Task<ActorIdentity?> IdentifyAsync(ActorSelection selection, CancellationToken cancellationToken)
    {
        // Growing slots: the first round trip over a new (TLS) association may take longer than the later ones on a busy
        // machine, and an attempt that times out cannot be answered any more.
        for (var attempt = 0; !cancellationToken.IsCancellationRequested; attempt++)
        {
            var slot = IdentifySlots[Math.Min(attempt, IdentifySlots.Length - 1)];
            var started = Stopwatch.GetTimestamp();
            try
            {
                var answer = await selection.Ask<ActorIdentity>(new Identify(null), slot, cancellationToken).ConfigureAwait(false);
                if (answer.Subject is not null) return answer;
                // An empty answer comes from this side's dead letters while the association is gated: wait out the attempt.
                var left = slot - Stopwatch.GetElapsedTime(started);
                if (left > TimeSpan.Zero) await Task.Delay(left, cancellationToken).ConfigureAwait(false);
            }
            catch (AskTimeoutException)
            {
                // Asked again.
            }
            catch (OperationCanceledException) when (cancellationToken.IsCancellationRequested)
            {
                break;
            }
        }
        return null;
    }

    private static string Differences(Address contact, Address real)
    {
        var why = new List<string>();
        if (real.System != contact.System) why.Add($"the node's system name is {real.System} (not {contact.System})");
        if (!string.Equals(real.Host, contact.Host, StringComparison.OrdinalIgnoreCase))
            why.Add($"the node answers only to {real.Host}, the host it binds and advertises, not to {contact.Host} "
                    + "(Akka drops messages for any other name; to be reached as another name, the node sets akka.remote.dot-netty.tcp.public-hostname)");
        return $"nothing answers at {contact}, but {real} answers at that port: {string.Join("; and ", why)}. Connect to {real}.";
    }

    /// <summary>A contact of the other protocol: the node's TLS and this client's differ, which the port confirms.</summary>
    private static async Task<string> ProtocolMismatch(Address contact, Address own, PalmTlsSettings tls, CancellationToken cancellationToken)
    {
        if (contact.Protocol is not ("akka.tcp" or "akka.ssl.tcp"))
            return $"'{contact.Protocol}' is not a protocol of Palm (akka.tcp, or akka.ssl.tcp with palm.tls); this client's is {own.Protocol}.";
        if (!tls.Enabled)
            return $"the contact is an address with TLS (akka.ssl.tcp), and this client has palm.tls off: turn palm.tls on here, "
                   + "with a certificate the node trusts.";
        var port = await TransportCheck.FindCauseAsync(contact.Host!, contact.Port!.Value, tls, probeTls: true, cancellationToken).ConfigureAwait(false);
        return port ?? $"the node at {contact.Host}:{contact.Port} speaks TLS and accepts this client: its address is "
               + $"akka.ssl.tcp://{contact.System}@{contact.Host}:{contact.Port} (this client has palm.tls on), not {contact}.";
    }

    private static string Unanswered(ActorPath path, Task<ActorIdentity> identify, AssociationWatch watch, PalmSettings settings, Stopwatch clock)
    {
        var contact = path.Address;
        if (identify.IsCompletedSuccessfully)
            return watch.Associated
                ? $"{contact} answered, but has no Palm node actor at {path}: is it the address of a Palm node (not a client's, not another Akka application's)?"
                : $"the association with {contact} failed{(watch.Error is { } error ? $" ({error})" : "")}, and the port showed no cause.";
        return $"no Palm node answered at {path} within {Seconds(clock)} (palm.connect-timeout = {settings.ConnectTimeout.TotalSeconds:0.#} s)"
               + (watch.Associated ? $"; the connection to {contact.Host}:{contact.Port} is up, but nothing there answered to {contact}." : ".");
    }

    /// <summary>Records what Akka.Remote publishes about the association with the contact (published whatever the log level).</summary>
    private sealed class AssociationWatch : IDisposable
    {
        private readonly ActorSystem _system;
        private readonly IActorRef _actor;

        public AssociationWatch(ActorSystem system, Address contact)
        {
            _system = system;
            _actor = system.ActorOf(Props.Create(() => new Listener(this, contact)));
            system.EventStream.Subscribe(_actor, typeof(AssociationEvent));
        }

        /// <summary>Whether the association with the contact came up (outbound).</summary>
        public bool Associated { get => Volatile.Read(ref field); private set => Volatile.Write(ref field, value); }

        /// <summary>The innermost cause of the last association error with the contact, if any.</summary>
        public string? Error { get => Volatile.Read(ref field); private set => Volatile.Write(ref field, value); }

        public void Dispose()
        {
            _system.EventStream.Unsubscribe(_actor);
            _system.Stop(_actor);
        }

        private sealed class Listener : ReceiveActor
        {
            public Listener(AssociationWatch watch, Address contact)
            {
                Receive<AssociatedEvent>(e => !e.IsInbound && e.RemoteAddress.Equals(contact), _ => watch.Associated = true);
                Receive<AssociationErrorEvent>(e => e.RemoteAddress.Equals(contact), e => watch.Error = e.Cause is null ? "no cause given" : TlsProbe.Innermost(e.Cause));
                ReceiveAny(_ => { });
            }
        }
    }
}
