using Akka.Configuration;
using Palm.Client;
using Palm.Messages;
using Palm.Tests.Support;
using Xunit;

namespace Palm.Tests.Client;

/// <summary>A client's contact points come from HOCON (<c>palm.client.contact-points</c>), tried in order.</summary>
[Trait(TestCategories.Category, TestCategories.Cluster)]
public sealed class ContactPointTests(ConnectTargets nodes) : IClassFixture<ConnectTargets>
{
    private static readonly TimeSpan Bound = TimeSpan.FromSeconds(60);

    private static Config ContactPoints(params string[] contacts) =>
        ConfigurationFactory.ParseString($"palm.client.contact-points = [{string.Join(", ", contacts.Select(c => $"\"{c}\""))}]");

    [Fact]
    public async Task A_client_connects_through_the_first_contact_point_that_answers()
    {
        var dead = $"akka.tcp://palm@127.0.0.1:{FreePorts.Unused()}";
        // The first refuses the connection; connecting at all means the second was tried and answered.
        await using var client = await PalmClient.ConnectAsync(ContactPoints(dead, nodes.Plain.Address)).WaitAsync(Bound);
        Assert.Empty(client.Servers);
    }

    [Fact]
    public async Task When_no_contact_point_answers_the_failure_names_each_with_its_cause()
    {
        var first = FreePorts.Unused();
        var second = FreePorts.Unused();
        var e = await Assert.ThrowsAsync<PalmConnectException>(() =>
            PalmClient.ConnectAsync(ContactPoints($"akka.tcp://palm@127.0.0.1:{first}", $"akka.tcp://palm@127.0.0.1:{second}")).WaitAsync(Bound));
        Assert.StartsWith("No node of palm.client.contact-points answered:", e.Message);
        Assert.Contains($"nothing listens at 127.0.0.1:{first} (connection refused)", e.Message);
        Assert.Contains($"nothing listens at 127.0.0.1:{second} (connection refused)", e.Message);
    }

    [Fact]
    public async Task No_contact_points_and_no_address_is_a_configuration_mistake_naming_the_key()
    {
        var e = await Assert.ThrowsAsync<ConfigurationException>(() => PalmClient.ConnectAsync(Config.Empty));
        Assert.Contains("palm.client.contact-points is empty", e.Message);
    }

    [Fact]
    public void Contact_points_that_are_not_a_list_are_refused_naming_the_key()
    {
        var e = Assert.Throws<ConfigurationException>(() => ClientSettings.Create(ConfigurationFactory.ParseString("palm.client.contact-points = \"akka.tcp://palm@h:1\"")));
        Assert.Contains("palm.client.contact-points", e.Message);
    }
}
