using System.Reflection;
using NetArchTest.Rules;
using Palm.Servers;
using Xunit;

namespace Palm.Tests.Architecture;

/// <summary>
/// The layers of docs/design.md ("Layers"): each top-level folder of src/Palm (namespace Palm.X) sits in one
/// layer, and a type may name types of its own folder and of lower layers only, never of a higher layer nor
/// of another folder on its own line. Checked on the built Palm assembly (signatures and method bodies,
/// lambdas and async state machines included).
/// </summary>
public sealed class LayerTests
{
    /// <summary>The layers, bottom to top; folders on one line may not name each other either way.</summary>
    private static readonly string[][] Layers =
    [
        ["Diagnostics", "Configuration"],
        ["Messages"],
        ["Security"],
        ["Transport"],
        ["Cache"],
        ["Servers"],
        ["Discovery"],
        ["Dispatch"],
        ["Templates"],
        ["Serialization"],
        ["Hosting"],
        ["Client"],
    ];

    private static readonly Assembly Palm = typeof(PalmServer).Assembly;

    private static string Namespace(string folder) => "Palm." + folder;

    /// <summary>The folders a type in <paramref name="layer"/>'s <paramref name="folder"/> may not name.</summary>
    private static IEnumerable<string> Forbidden(int layer, string folder) =>
        Layers.Skip(layer + 1).SelectMany(l => l)
            .Concat(Layers[layer].Where(f => f != folder));

    [Fact]
    public void No_type_names_a_type_of_a_higher_layer_or_of_a_sibling_on_its_own_layer()
    {
        var violations = new List<string>();
        for (var layer = 0; layer < Layers.Length; layer++)
        {
            foreach (var folder in Layers[layer])
            {
                foreach (var higher in Forbidden(layer, folder))
                {
                    // The anchored pattern keeps Palm.Cache from selecting a Palm.CacheX.
                    var result = Types.InAssembly(Palm)
                        .That().ResideInNamespaceMatching($@"^Palm\.{folder}(\.|$)")
                        .ShouldNot().HaveDependencyOn(Namespace(higher))
                        .GetResult();
                    if (result.IsSuccessful) continue;
                    violations.AddRange(result.FailingTypeNames.Select(t => $"{t} (layer {folder}) names {Namespace(higher)} (layer {higher})"));
                }
            }
        }

        Assert.True(violations.Count == 0,
            "Layers point down only (docs/design.md, \"Layers\"); these types name a higher layer or a sibling:\n  "
            + string.Join("\n  ", violations.Distinct().Order()));
    }

    [Fact]
    public void Every_top_level_namespace_of_the_Palm_assembly_is_placed_in_a_layer()
    {
        var placed = Layers.SelectMany(l => l).ToHashSet();
        var unplaced = Palm.GetTypes()
            .Select(t => t.Namespace)
            .Where(ns => ns != null && (ns == "Palm" || ns.StartsWith("Palm.", StringComparison.Ordinal)))
            .Select(ns => ns == "Palm" ? "(Palm itself)" : ns!.Split('.')[1])
            .Where(folder => !placed.Contains(folder))
            .Distinct()
            .Order()
            .ToList();

        Assert.True(unplaced.Count == 0,
            "Every folder of src/Palm needs a place in LayerTests.Layers and in docs/design.md (\"Layers\"); not placed: "
            + string.Join(", ", unplaced.Select(f => f.StartsWith('(') ? f : Namespace(f))));
    }

    [Fact]
    public void Every_folder_in_the_layer_table_exists_in_the_Palm_assembly()
    {
        var present = Palm.GetTypes()
            .Select(t => t.Namespace ?? "")
            .Where(ns => ns.StartsWith("Palm.", StringComparison.Ordinal))
            .Select(ns => ns.Split('.')[1])
            .ToHashSet();
        var stale = Layers.SelectMany(l => l).Where(f => !present.Contains(f)).ToList();
        var twice = Layers.SelectMany(l => l).GroupBy(f => f).Where(g => g.Count() > 1).Select(g => g.Key).ToList();

        Assert.True(stale.Count == 0, "The layer table names folders that no longer exist: " + string.Join(", ", stale));
        Assert.True(twice.Count == 0, "The layer table places folders twice: " + string.Join(", ", twice));
    }
}
