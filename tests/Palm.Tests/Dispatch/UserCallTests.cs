using Akka.Event;
using Palm.Dispatch;
using Palm.Messages;
using Palm.Servers;
using Palm.TestKit;
using Palm.Tests.Templates.Parallel;
using Palm.Tests.Support;
using Xunit;

namespace Palm.Tests.Dispatch;

/// <summary>
/// One user-call policy (<see cref="UserCall"/>): a function, an output hook, a Scatter and a Reduce that throw (also
/// while their lazy result is enumerated) give the same error shape, the same log line and the same count, and the
/// server goes on serving.
/// </summary>
public sealed class UserCallTests : Akka.TestKit.Xunit2.TestKit
{
    private static readonly TimeSpan Wait = TimeSpan.FromSeconds(30);

    public static TheoryData<string, string, string> Throwing => new()
    {
        { "f", "boom", "boom" },
        { "f", "lazy", "lazy" },
        { "h", "pass", "OnOutput" },
        { "sg", "upper", "Scatter" },
        { "r", "add", "Reduce" },
    };

    [Theory]
    [MemberData(nameof(Throwing))]
    public async Task User_code_that_throws_gives_one_error_shape_one_log_line_and_one_count(string server, string function, string failing)
    {
        await (server switch
        {
            "f" => this.StartPalmServerAsync<ThrowingServer>(server),
            "h" => this.StartPalmServerAsync<ThrowingHookServer>(server),
            "sg" => this.StartPalmServerAsync<ThrowingScatterServer>(server),
            _ => this.StartPalmServerAsync<ThrowingReduceServer>(server),
        });
        var client = await this.ConnectPalmClientAsync();
        var logged = LogWatch.For<Error>(Sys, text => text.StartsWith($"User code {server}.{failing} failed on job ", StringComparison.Ordinal));

        var results = await client.RunAll([$"{server}.{function}"], [Text.Bytes("x")], Wait);

        var error = Assert.Single(results, r => r.IsError).Error!;
        Assert.Equal(new PalmError(PalmErrorKind.FunctionFailed, server, failing, 0, typeof(InvalidOperationException).FullName, "kaput"), error);
        Assert.EndsWith("input 0 (step 0).", await logged.WaitAsync(Wait));
        Assert.Equal(1, Assert.Single((await client.GetStatusAsync()).Servers, s => s.Name == server).Errors);
    }

    [Fact]
    public void The_log_line_names_the_server_the_function_the_job_the_input_and_the_step() =>
        Assert.Equal("User code s.Key failed on job j input 7 (step 2).", string.Format(UserCall.LogLine, "s", "Key", "j", 7, 2));

    public sealed class ThrowingServer : RegisteredServer
    {
        [PalmFunction("boom")]
        public byte[] Boom(byte[] payload) => throw new InvalidOperationException("kaput");

        /// <summary>Throws while its result is enumerated, after the call returned.</summary>
        [PalmFunction("lazy")]
        public IEnumerable<byte[]> Lazy(byte[] payload)
        {
            yield return payload;
            throw new InvalidOperationException("kaput");
        }
    }

    public sealed class ThrowingHookServer : RegisteredServer
    {
        [PalmFunction("pass")]
        public byte[] Pass(byte[] payload) => payload;

        protected override NextHop OnOutput(MessageContext message, ReadOnlyMemory<byte> output) => throw new InvalidOperationException("kaput");
    }

    public sealed class ThrowingScatterServer : ScatterGatherServer
    {
        [PalmFunction("upper")]
        public byte[] Upper(byte[] part) => part;

        protected override IEnumerable<byte[]> Scatter(ReadOnlyMemory<byte> message)
        {
            yield return message.ToArray();
            throw new InvalidOperationException("kaput");
        }

        protected override IEnumerable<byte[]>? Gather(ReadOnlyMemory<byte> message, IReadOnlyList<ReadOnlyMemory<byte>> results) => [];
    }

    public sealed class ThrowingReduceServer : ReduceServer
    {
        [PalmFunction("add")]
        public byte[] Add(byte[] value) => value;

        protected override byte[] Initial() => [];

        protected override byte[] Reduce(byte[] accumulator, ReadOnlyMemory<byte> partial) => throw new InvalidOperationException("kaput");
    }
}
