using System.Reflection;
using Xunit;

namespace Palm.Tests.Support;

/// <summary>Tests that start clusters or processes never run beside each other: their classes are in a collection that runs one at a time.</summary>
public sealed class TestCollectionTests
{
    [Fact]
    public void Every_class_with_a_cluster_or_process_test_is_in_the_clusters_collection_or_runs_alone()
    {
        var heavy = typeof(TestCollectionTests).Assembly.GetTypes()
            .Where(t => t.GetMethods().Any(m => m.GetCustomAttributes<FactAttribute>().Any()))
            .Where(t => t.GetMethods().Append<MemberInfo>(t).Any(IsClusterOrProcess))
            .ToArray();

        Assert.NotEmpty(heavy);
        Assert.All(heavy, t => Assert.True(CollectionOf(t) is TestCollections.Clusters or TestCollections.Alone,
            $"{t.Name} starts clusters or processes but is in collection '{CollectionOf(t)}'"));
    }

    private static bool IsClusterOrProcess(MemberInfo member) =>
        member.GetCustomAttributesData().Any(a => a.AttributeType == typeof(TraitAttribute)
            && a.ConstructorArguments[0].Value as string == TestCategories.Category
            && a.ConstructorArguments[1].Value as string is TestCategories.Cluster or TestCategories.Process);

    private static string? CollectionOf(Type type) =>
        type.GetCustomAttributesData().SingleOrDefault(a => a.AttributeType == typeof(CollectionAttribute))?.ConstructorArguments[0].Value as string;
}
