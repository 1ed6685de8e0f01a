namespace Palm.Tests.Support;

/// <summary>
/// The xUnit trait "Category" a test class carries when it is not a unit test, so that
/// <c>dotnet test Palm.sln --filter "Category!=Cluster&amp;Category!=Process"</c> runs the unit tests alone.
/// A class without the trait is a unit test: one actor system at most (the test kit's), no OS process.
/// </summary>
public static class TestCategories
{
    /// <summary>The trait's name.</summary>
    public const string Category = "Category";

    /// <summary>Several actor systems that talk over remoting: a cluster fixture, <c>PalmHost.StartNodeAsync</c>, a stranger system.</summary>
    public const string Cluster = "Cluster";

    /// <summary>Nodes in their own OS processes (the demo executable).</summary>
    public const string Process = "Process";
}
