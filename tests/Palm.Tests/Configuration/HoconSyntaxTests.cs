using Akka.Configuration;
using Palm.Configuration;
using Xunit;

namespace Palm.Tests.Configuration;

/// <summary>
/// Malformed HOCON is an error naming where it came from and the line. Akka's parser accepts an unclosed '{', drops
/// every key after a stray '}', and never returns on an unclosed '[' followed by more keys: these are found before it runs.
/// </summary>
public sealed class HoconSyntaxTests
{
    private static string Refused(string hocon) =>
        Assert.Throws<ConfigurationException>(() => PalmConfig.Parse(hocon, "node.conf")).Message;

    [Theory]
    [InlineData("palm {\n  client {\n    window = 10\n}\n", "node.conf, line 1: '{' is never closed.")]
    [InlineData("palm.client.window = 10\n}\npalm.ask-timeout = 5s\n", "node.conf, line 2: '}' closes nothing: no '{' is open (every key after it would be dropped).")]
    [InlineData("akka.cluster.seed-nodes = [\"akka.tcp://palm@127.0.0.1:4053\"\npalm.ask-timeout = 5s\n", "node.conf, line 1: '[' is never closed.")]
    [InlineData("palm {\n  client.window = 10\n]\n", "node.conf, line 3: ']' closes the '{' opened at line 1.")]
    [InlineData("palm.system-name = \"palm\npalm.ask-timeout = 5s\n", "node.conf, line 1: a string opened with \" is not closed on its line.")]
    public void An_unbalanced_bracket_or_an_unclosed_string_is_refused_naming_the_line(string hocon, string expected) =>
        Assert.Equal(expected, Refused(hocon));

    [Fact]
    public void Brackets_in_strings_comments_and_substitutions_are_not_counted()
    {
        var config = PalmConfig.Parse(""""
            # a comment with { and [
            palm.system-name = "a{b]c"   // another } one
            base = 5s
            palm.ask-timeout = ${base}
            palm.tls.certificate-password = ${?NO_SUCH_VARIABLE_FOR_PALM}
            text = """{ [ "quoted" """
            """", "node.conf");
        Assert.Equal("a{b]c", config.GetString("palm.system-name"));
        Assert.Equal(TimeSpan.FromSeconds(5), config.GetTimeSpan("palm.ask-timeout"));
    }

    [Fact]
    public void A_parser_error_names_the_origin_and_the_line()
    {
        var message = Refused("palm.ask-timeout = 5s\npalm.client.window =");
        Assert.StartsWith("node.conf, line 2: not valid HOCON:", message);
    }

    [Fact]
    public void A_file_is_named_by_its_path()
    {
        var file = Path.GetTempFileName();
        try
        {
            File.WriteAllText(file, "palm {\n  client.window = 10\n");
            var e = Assert.Throws<ConfigurationException>(() => PalmConfig.ParseFile(file));
            Assert.Equal($"{file}, line 1: '{{' is never closed.", e.Message);
        }
        finally
        {
            File.Delete(file);
        }
    }
}
