using Palm.Hosting;
using Xunit;

namespace Palm.Tests.Hosting;

/// <summary>
/// <c>NodeOptions</c>' environment variables (PALM_SEEDS, PALM_HOST, PALM_PORT, PALM_LANE_PORT), <c>--lane-port</c> and
/// <c>--help</c>. The environment is handed in as a dictionary: the process's own is never changed.
/// </summary>
public sealed class NodeOptionsEnvironmentTests
{
    private static readonly Dictionary<string, string> Everything = new()
    {
        ["PALM_SEEDS"] = "akka.tcp://palm@10.0.0.1:4053, akka.tcp://palm@10.0.0.2:4053",
        ["PALM_HOST"] = "10.0.0.7",
        ["PALM_PORT"] = "4055",
        ["PALM_LANE_PORT"] = "4056",
    };

    [Fact]
    public void The_environment_stands_for_the_flags_not_given()
    {
        var options = NodeOptions.Parse([], environment: Everything);
        var config = options.ToConfig();

        Assert.Equal(["akka.tcp://palm@10.0.0.1:4053", "akka.tcp://palm@10.0.0.2:4053"], config.GetStringList("akka.cluster.seed-nodes"));
        Assert.Equal("10.0.0.7", config.GetString("akka.remote.dot-netty.tcp.hostname"));
        Assert.Equal(4055, config.GetInt("akka.remote.dot-netty.tcp.port"));
        Assert.Equal(4056, config.GetInt("palm.lane.port"));
    }

    [Fact]
    public void Flags_win_over_the_environment()
    {
        var options = NodeOptions.Parse(["--seed", "akka.tcp://palm@flag:1", "--host", "flag-host", "--port", "1", "--lane-port", "2"], environment: Everything);

        Assert.Equal(["akka.tcp://palm@flag:1"], options.Seeds);
        Assert.Equal("flag-host", options.Host);
        Assert.Equal(1, options.Port);
        Assert.Equal(2, options.LanePort);
    }

    [Fact]
    public void The_environment_wins_over_a_config_file()
    {
        var file = Path.GetTempFileName();
        try
        {
            File.WriteAllText(file, "akka.remote.dot-netty.tcp.port = 5000\npalm.lane.port = 5001\nakka.cluster.seed-nodes = [\"akka.tcp://palm@file:1\"]");
            var config = NodeOptions.Parse(["--config", file], environment: Everything).ToConfig();

            Assert.Equal(4055, config.GetInt("akka.remote.dot-netty.tcp.port"));
            Assert.Equal(4056, config.GetInt("palm.lane.port"));
            Assert.Equal("akka.tcp://palm@10.0.0.1:4053", config.GetStringList("akka.cluster.seed-nodes")[0]);
        }
        finally
        {
            File.Delete(file);
        }
    }

    [Fact]
    public void Empty_variables_are_unset_and_an_empty_environment_leaves_the_hocon_values()
    {
        var options = NodeOptions.Parse([], environment: new Dictionary<string, string> { ["PALM_PORT"] = "", ["PALM_SEEDS"] = " " });

        Assert.Null(options.Port);
        Assert.Empty(options.Seeds);
        Assert.Equal(0, NodeOptions.Parse([], environment: new Dictionary<string, string>()).ToConfig().GetInt("palm.lane.port"));
    }

    [Theory]
    [InlineData("PALM_PORT", "http", "PALM_PORT 'http' is not a port number (0-65535).")]
    [InlineData("PALM_LANE_PORT", "70000", "PALM_LANE_PORT '70000' is not a port number (0-65535).")]
    [InlineData("PALM_SEEDS", "akka.tcp://palm@a:1,10.0.0.2:4053", "PALM_SEEDS '10.0.0.2:4053' is not an address like akka.tcp://palm@127.0.0.1:4053")]
    public void A_bad_variable_is_refused_naming_it(string name, string value, string message)
    {
        var e = Assert.Throws<ArgumentException>(() => NodeOptions.Parse([], environment: new Dictionary<string, string> { [name] = value }));
        Assert.StartsWith(message, e.Message);
    }

    [Fact]
    public void A_bad_lane_port_flag_is_refused_naming_it()
    {
        var e = Assert.Throws<ArgumentException>(() => NodeOptions.Parse(["--lane-port=-1"], environment: new Dictionary<string, string>()));
        Assert.Equal("--lane-port '-1' is not a port number (0-65535).", e.Message);
    }

    [Theory]
    [InlineData("--help")]
    [InlineData("-h")]
    public void Help_stops_the_reading_and_the_text_names_every_flag_and_variable(string flag)
    {
        // Even beside a flag that would be refused: asking for help is never an error.
        Assert.True(NodeOptions.Parse([flag, "--sead", "x"], environment: Everything).Help);
        foreach (var name in NodeOptions.Flags.Concat(NodeOptions.EnvironmentVariables))
            Assert.Contains(name, NodeOptions.HelpText);
    }
}
