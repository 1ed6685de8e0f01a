using Xunit;

namespace Palm.Tests.Support;

/// <summary>
/// The xUnit collections that keep timing-sensitive tests from running beside each other. Collections run in
/// parallel (xunit.runner.json), and a class without a collection is one of its own: unit test classes run beside
/// each other and beside <see cref="Clusters"/>, one class of which runs at a time. <see cref="Alone"/> runs last,
/// with nothing beside it. Every class tagged <see cref="TestCategories.Cluster"/> or <see cref="TestCategories.Process"/>
/// is in one of the two (checked by TestCollectionTests).
/// </summary>
public static class TestCollections
{
    /// <summary>Clusters and OS processes: one test at a time, beside at most the unit tests.</summary>
    public const string Clusters = "Clusters and processes";

    /// <summary>Tests that measure the whole test process (its threads, its memory, every Palm meter): one at a time, and nothing beside them.</summary>
    public const string Alone = "Alone";
}

/// <summary>The definition of <see cref="TestCollections.Clusters"/>.</summary>
[CollectionDefinition(TestCollections.Clusters)]
public sealed class ClustersCollection;

/// <summary>The definition of <see cref="TestCollections.Alone"/>.</summary>
[CollectionDefinition(TestCollections.Alone, DisableParallelization = true)]
public sealed class AloneCollection;
