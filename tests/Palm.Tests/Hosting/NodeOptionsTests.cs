using Akka.Configuration;
using Palm.Client;
using Palm.Configuration;
using Palm.Templates.Parallel;
using Palm.Hosting;
using Palm.Servers;
using Xunit;

namespace Palm.Tests.Hosting;

public sealed class NodeOptionsTests
{
    [Fact]
    public void Flags_become_hocon_over_palm_defaults()
    {
        var options = NodeOptions.Parse(["--host", "10.0.0.5", "--port", "4053", "--seed", "akka.tcp://palm@10.0.0.1:4053",
            "--seed", "akka.tcp://palm@10.0.0.2:4053", "--role", "worker", "extra"]);
        var config = options.ToConfig();
        Assert.Equal("10.0.0.5", config.GetString("akka.remote.dot-netty.tcp.hostname"));
        Assert.Equal(4053, config.GetInt("akka.remote.dot-netty.tcp.port"));
        Assert.Equal(["akka.tcp://palm@10.0.0.1:4053", "akka.tcp://palm@10.0.0.2:4053"], config.GetStringList("akka.cluster.seed-nodes"));
        Assert.Equal(ServerRole.Worker, options.Role);
        Assert.Equal(["extra"], options.Rest);
        Assert.Equal("cluster", config.GetString("akka.actor.provider"));
        Assert.Equal(2000, ClientSettings.Create(config).Window);
    }

    [Fact]
    public void A_config_file_overrides_defaults_and_flags_override_the_file()
    {
        var file = Path.GetTempFileName();
        try
        {
            File.WriteAllText(file, "palm.client.window = 7\nakka.remote.dot-netty.tcp.port = 5000\nakka.cluster.seed-nodes = [\"akka.tcp://palm@h:1\"]");
            var config = NodeOptions.Parse(["--config", file, "--port", "6000"]).ToConfig();
            Assert.Equal(7, ClientSettings.Create(config).Window);
            Assert.Equal(6000, config.GetInt("akka.remote.dot-netty.tcp.port"));
            Assert.Equal(["akka.tcp://palm@h:1"], config.GetStringList("akka.cluster.seed-nodes"));
        }
        finally
        {
            File.Delete(file);
        }
    }

    [Theory]
    [InlineData("--port", "http")]
    [InlineData("--port", "70000")]
    [InlineData("--role", "boss")]
    [InlineData("--seed", "127.0.0.1:4053")]
    [InlineData("--config", "/no/such/file.conf")]
    public void Bad_flags_are_refused_with_the_reason(string flag, string value)
    {
        var e = Assert.Throws<ArgumentException>(() => NodeOptions.Parse([flag, value]));
        Assert.Contains(flag, e.Message);
    }

    [Fact]
    public void A_flag_without_its_value_is_refused_with_the_usage()
    {
        var e = Assert.Throws<ArgumentException>(() => NodeOptions.Parse(["--seed"]));
        Assert.Contains("Usage", e.Message);
    }

    [Theory]
    [InlineData("--sead", "--seed")]
    [InlineData("--prot", "--port")]
    [InlineData("-role", "--role")]
    public void An_unknown_flag_is_refused_naming_the_nearest_flag_and_all_of_them(string flag, string nearest)
    {
        var e = Assert.Throws<ArgumentException>(() => NodeOptions.Parse([flag, "akka.tcp://palm@127.0.0.1:4053"]));
        Assert.Equal($"{flag} is not a flag of this program; did you mean {nearest}? The flags are --host, --port, --lane-port, --seed, --config, --role, --help.", e.Message);
    }

    [Fact]
    public void An_unknown_flag_like_no_known_one_is_refused_listing_the_flags()
    {
        var e = Assert.Throws<ArgumentException>(() => NodeOptions.Parse(["--verbose"]));
        Assert.Equal("--verbose is not a flag of this program. The flags are --host, --port, --lane-port, --seed, --config, --role, --help.", e.Message);
    }

    [Fact]
    public void A_flag_may_carry_its_value_after_an_equals_sign()
    {
        var options = NodeOptions.Parse(["--seed=akka.tcp://palm@127.0.0.1:4053", "--port=4054", "--role=worker", "--host=10.0.0.5"]);
        Assert.Equal(["akka.tcp://palm@127.0.0.1:4053"], options.Seeds);
        Assert.Equal(4054, options.Port);
        Assert.Equal(ServerRole.Worker, options.Role);
        Assert.Equal("10.0.0.5", options.Host);
    }

    [Fact]
    public void A_program_consumes_its_own_flags_and_they_are_listed_with_the_node_flags()
    {
        var options = NodeOptions.Parse(["--count", "5", "--seed", "akka.tcp://palm@127.0.0.1:4053", "input.txt"], ["--count"]);
        Assert.Equal("5", options.ProgramFlags["--count"]);
        Assert.Equal(["input.txt"], options.Rest);

        var e = Assert.Throws<ArgumentException>(() => NodeOptions.Parse(["--cuont=5"], ["--count"]));
        Assert.Equal("--cuont is not a flag of this program; did you mean --count? The flags are --host, --port, --lane-port, --seed, --config, --role, --help, --count.", e.Message);
        Assert.Throws<ArgumentException>(() => NodeOptions.Parse(["--count"], ["--count"]));
    }

    [Fact]
    public void A_malformed_config_file_is_refused_naming_the_file_and_line()
    {
        var file = Path.GetTempFileName();
        try
        {
            File.WriteAllText(file, "palm.client.window = 7\n}\n");
            var e = Assert.Throws<ConfigurationException>(() => NodeOptions.Parse(["--config", file]).ToConfig());
            Assert.StartsWith($"{file}, line 2: '}}' closes nothing", e.Message);
        }
        finally
        {
            File.Delete(file);
        }
    }

    [Fact]
    public void Every_palm_key_has_a_default_in_the_embedded_reference()
    {
        var settings = PalmSettings.Default;
        Assert.Equal("palm", settings.SystemName);
        Assert.Equal(TimeSpan.FromSeconds(10), ParallelSettings.Default.DrainTimeout);
        Assert.True(settings.BatchMaxBytes < PalmConfig.ClusterNode.GetByteSize("akka.remote.dot-netty.tcp.maximum-frame-size"));
        Assert.True(settings.MaxPayloadBytes + settings.BatchMaxBytes < PalmConfig.ClusterNode.GetByteSize("akka.remote.dot-netty.tcp.maximum-frame-size"));
    }
}
