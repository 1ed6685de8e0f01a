using Akka.Configuration;
using Palm.Configuration;
using Palm.Serialization;
using Xunit;

namespace Palm.Tests.Serialization;

/// <summary>reference.conf and the serializer table say the same thing, and a configuration that says otherwise is refused by name.</summary>
public sealed class SerializerBindingsTests
{
    [Fact]
    public void The_shipped_reference_conf_declares_every_serializer_identifier_and_binding_of_the_table() =>
        SerializerBindings.Check(PalmConfig.Reference, complete: true);

    [Fact]
    public void A_Palm_message_bound_to_another_serializer_is_refused_naming_the_binding()
    {
        var config = ConfigurationFactory.ParseString("""akka.actor.serialization-bindings { "Palm.Messages.Deliver, Palm" = akka-misc }""")
            .WithFallback(PalmConfig.Reference);
        var e = Assert.Throws<ConfigurationException>(() => SerializerBindings.Check(config));
        Assert.StartsWith("akka.actor.serialization-bindings.\"Palm.Messages.Deliver, Palm\" = akka-misc contradicts", e.Message);
    }

    [Fact]
    public void A_Palm_serializer_given_another_identifier_is_refused_naming_the_key()
    {
        var config = ConfigurationFactory.ParseString("""akka.actor.serialization-identifiers { "Palm.Serialization.PalmSerializer, Palm" = 9999 }""")
            .WithFallback(PalmConfig.Reference);
        var e = Assert.Throws<ConfigurationException>(() => SerializerBindings.Check(config));
        Assert.Contains("\"Palm.Serialization.PalmSerializer, Palm\" = 9999", e.Message);
        Assert.Contains("7301", e.Message);
    }

    [Fact]
    public void A_configuration_without_Palm_s_bindings_passes_the_start_check_but_not_the_complete_one()
    {
        SerializerBindings.Check(Config.Empty);
        Assert.Throws<ConfigurationException>(() => SerializerBindings.Check(Config.Empty, complete: true));
    }
}
