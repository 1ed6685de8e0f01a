using System.Runtime.CompilerServices;
using System.Text.RegularExpressions;
using Palm.Client.Internal;
using Palm.Diagnostics;
using Palm.Servers.Internal;
using Palm.Tests.Support;
using Palm.Transport.Internal;
using Xunit;

namespace Palm.Tests.Diagnostics;

/// <summary>The sources observable instruments read: summed by tags, gone once disposed; and the instruments are the documented ones.</summary>
public sealed partial class MeterSourcesTests
{
    private sealed class Box(long value)
    {
        public long Value { get; set; } = value;
    }

    private static KeyValuePair<string, object?> Tag(string key, string value) => new(key, value);

    [Fact]
    public void Sources_with_the_same_tags_are_summed_into_one_measurement()
    {
        var sources = new MeterSources<Box>();
        using var a = sources.Add(new Box(2), Tag("s", "x"), Tag("r", "worker"));
        using var b = sources.Add(new Box(3), Tag("s", "x"), Tag("r", "worker"));
        using var c = sources.Add(new Box(7), Tag("s", "y"), Tag("r", "worker"));

        var measured = sources.Observe<long>(s => s.Value).ToDictionary(m => (string)m.Tags.ToArray()[0].Value!, m => m.Value);

        Assert.Equal(new Dictionary<string, long> { ["x"] = 5, ["y"] = 7 }, measured);
    }

    [Fact]
    public void A_disposed_source_is_measured_no_more()
    {
        var sources = new MeterSources<Box>();
        var a = sources.Add(new Box(2), Tag("s", "x"));
        using var b = sources.Add(new Box(3), Tag("s", "y"));

        a.Dispose();
        a.Dispose();

        var only = Assert.Single(sources.Observe<long>(s => s.Value));
        Assert.Equal(3, only.Value);
        Assert.Equal(1, sources.Count);
    }

    [Fact]
    public void A_source_without_a_value_is_left_out_and_an_extra_tag_marks_every_measurement()
    {
        var sources = new MeterSources<Box>();
        using var a = sources.Add(new Box(0), Tag("s", "x"));
        using var b = sources.Add(new Box(4), Tag("s", "y"));

        var only = Assert.Single(sources.Observe<long>(s => s.Value == 0 ? null : s.Value, Tag("reason", "tls")));

        Assert.Equal(4, only.Value);
        Assert.Equal(new[] { Tag("s", "y"), Tag("reason", "tls") }, only.Tags.ToArray());
    }

    [Fact]
    public void The_instruments_of_the_Palm_meter_are_those_docs_metrics_md_documents_with_their_units()
    {
        // The instruments are created with the first source of their kind; here without any.
        foreach (var type in new[] { typeof(ServerMetrics), typeof(LaneMetrics), typeof(ClientMetrics) })
            RuntimeHelpers.RunClassConstructor(type.TypeHandle);
        using var capture = new MeterCapture();

        var documented = DocumentedInstruments();
        var published = capture.Published.ToDictionary(i => i.Name, i => i.Unit);

        Assert.Equal(documented.Keys.Order(), published.Keys.Order());
        foreach (var (name, unit) in documented) Assert.True(unit == published[name], $"{name}: documented unit {unit}, instrument's {published[name]}");
    }

    /// <summary>The rows of docs/metrics.md's tables: | `name` | `unit` | ...</summary>
    private static Dictionary<string, string> DocumentedInstruments()
    {
        var dir = new DirectoryInfo(AppContext.BaseDirectory);
        while (dir is not null && !File.Exists(Path.Combine(dir.FullName, "Palm.sln"))) dir = dir.Parent;
        Assert.NotNull(dir);
        var text = File.ReadAllText(Path.Combine(dir.FullName, "docs", "metrics.md"));
        return Row().Matches(text).ToDictionary(m => m.Groups[1].Value, m => m.Groups[2].Value);
    }

    [GeneratedRegex(@"^\| `(palm\.[a-z]+\.[a-z_]+)` \| `([^`]+)` \|", RegexOptions.Multiline)]
    private static partial Regex Row();
}
