using Palm.Gateway;
using Palm.Hosting;
using Xunit;

namespace Palm.Tests.Gateway;

/// <summary>The gateway process's command line: its flags, ASP.NET Core settings passed on, and mistakes as exit code 2.</summary>
public sealed class GatewayOptionsTests
{
    [Fact]
    public void Flags_are_read_as_flag_value_or_flag_equals_value_and_aspnet_settings_pass_through()
    {
        var options = GatewayOptions.Parse(["--contact", "akka.tcp://palm@10.0.0.1:4053", "--urls=http://0.0.0.0:8080", "--prefix", "/palm",
            "--Kestrel:Certificates:Default:Path=gateway.pfx", "--Logging:LogLevel:Default", "Warning"]);

        Assert.Equal(("akka.tcp://palm@10.0.0.1:4053", "http://0.0.0.0:8080", "/palm"), (options.Contact, options.Urls, options.Prefix));
        Assert.Equal(["--Kestrel:Certificates:Default:Path=gateway.pfx", "--Logging:LogLevel:Default=Warning"], options.AspNetArgs);
    }

    [Fact]
    public void An_unknown_flag_is_refused_naming_the_nearest()
    {
        var e = Assert.Throws<ArgumentException>(() => GatewayOptions.Parse(["--contatc", "x"]));

        Assert.Contains("--contatc is not a flag of the gateway; did you mean --contact?", e.Message);
    }

    [Theory]
    [InlineData("--seed")]
    [InlineData("--port")]
    public void Node_flags_are_refused_the_gateway_is_a_client_that_does_not_join(string flag)
    {
        Assert.Throws<ArgumentException>(() => GatewayOptions.Parse([flag, "1"]));
    }

    [Fact]
    public async Task A_mistake_on_the_command_line_is_one_line_and_exit_code_2_before_anything_starts()
    {
        var output = new StringWriter();
        var error = new StringWriter();

        var code = await GatewayProgram.MainAsync(["--url", "http://127.0.0.1:0"], output, error, CancellationToken.None);

        Assert.Equal(PalmExitCodes.Configuration, code);
        Assert.StartsWith("palm: --url is not a flag of the gateway; did you mean --urls?", error.ToString());
        Assert.Equal("", output.ToString());
    }

    [Fact]
    public async Task Help_prints_the_flags_and_exits_0()
    {
        var output = new StringWriter();

        var code = await GatewayProgram.MainAsync(["--help"], output, TextWriter.Null, CancellationToken.None);

        Assert.Equal(PalmExitCodes.Ok, code);
        Assert.Contains("--contact <address>", output.ToString());
        Assert.Contains("--Kestrel:Certificates:Default:Path", output.ToString());
    }
}
