using System.Text;
using Palm.Servers;

namespace Palm.Demo;

/// <summary>
/// The worker of pylm's <c>gateway</c> and <c>template</c> examples, as a Palm parallel server: <c>foo</c> answers
/// <c>INSTANCE processed MESSAGE</c>, so a client sees which worker took each message. Run it as <c>server pylm --role leader</c>
/// and <c>--role worker</c> (any number), and reach it through the gateway (docs/gateway.md).
/// </summary>
public sealed class FooServer : ButterflyServer
{
    /// <summary>Prefixes the message with the identity of the instance that ran it.</summary>
    [PalmFunction("foo")]
    public byte[] Foo(byte[] message, MessageContext context) =>
        [.. Encoding.UTF8.GetBytes(context.Instance + " processed "), .. message];
}
