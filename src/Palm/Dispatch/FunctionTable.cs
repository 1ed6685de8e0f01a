using System.Collections.Concurrent;
using System.Linq.Expressions;
using System.Reflection;
using Palm.Messages;
using Palm.Servers;

namespace Palm.Dispatch;

/// <summary>
/// The functions of a server type, found once by reflection ([PalmFunction] methods plus the built-in
/// <c>echo</c>) and compiled to delegates, so a call costs a dictionary lookup and a delegate call.
/// </summary>
internal sealed class FunctionTable(Dictionary<string, ServerFunction> functions, bool hasOutputHook)
{
    private static readonly ConcurrentDictionary<Type, FunctionTable> Tables = new();

    public string[] Names { get; } = functions.Keys.Order(StringComparer.Ordinal).ToArray();

    /// <summary>Whether the type overrides PalmServer.OnOutput (if not, no context is built per output).</summary>
    public bool HasOutputHook { get; } = hasOutputHook;

    public bool TryGet(string name, out ServerFunction function) => functions.TryGetValue(name, out function!);

    /// <exception cref="PalmConfigurationException">A function has an unsupported signature or a duplicate name.</exception>
    public static FunctionTable For(Type serverType) => Tables.GetOrAdd(serverType, Build);

    private static FunctionTable Build(Type type)
    {
        if (!typeof(PalmServer).IsAssignableFrom(type))
            throw new PalmConfigurationException($"{type} does not derive from {nameof(PalmServer)}.");
        var functions = new Dictionary<string, ServerFunction>(StringComparer.Ordinal);
        foreach (var method in type.GetMethods(BindingFlags.Instance | BindingFlags.Public | BindingFlags.NonPublic))
        {
            var attribute = method.GetCustomAttribute<PalmFunctionAttribute>();
            if (attribute is null) continue;
            var name = attribute.Name ?? method.Name;
            if (name.Length == 0 || name.Contains('.') || name.Any(char.IsWhiteSpace))
                throw new PalmConfigurationException($"{type.Name}.{method.Name}: function name '{name}' must be non-empty, without dots or spaces.");
            if (!functions.TryAdd(name, Compile(type, method, name, attribute.MaxConcurrency)))
                throw new PalmConfigurationException($"{type.Name} exposes two functions named '{name}'.");
        }
        functions.TryAdd("echo", new ServerFunction("echo", false, static (_, payload, _) => new ValueTask<object?>(payload)));
        var hook = type.GetMethod("OnOutput", BindingFlags.Instance | BindingFlags.NonPublic | BindingFlags.Public)!;
        return new FunctionTable(functions, hook.DeclaringType != typeof(PalmServer));
    }

    private static ServerFunction Compile(Type type, MethodInfo method, string name, int maxConcurrency)
    {
        string Where() => $"{type.Name}.{method.Name}";
        var returns = method.ReturnType;
        var isAsync = returns == typeof(Task) || returns == typeof(ValueTask)
            || (returns.IsGenericType && (returns.GetGenericTypeDefinition() == typeof(Task<>) || returns.GetGenericTypeDefinition() == typeof(ValueTask<>)));
        if (maxConcurrency < 0)
            throw new PalmConfigurationException($"{Where()}: MaxConcurrency is {maxConcurrency}; use a positive number, or leave it out for palm.server.max-concurrency.");
        if (maxConcurrency > 1 && !isAsync)
            throw new PalmConfigurationException(
                $"{Where()}: MaxConcurrency = {maxConcurrency} needs an asynchronous function (returning Task or ValueTask); a synchronous one runs one call at a time on the server's own thread.");
        var parameters = method.GetParameters();
        var wantsContext = parameters.Length == 2 && parameters[1].ParameterType == typeof(MessageContext);
        if (method.IsStatic || method.IsGenericMethodDefinition || !(parameters.Length == 1 || wantsContext))
            throw new PalmConfigurationException($"{Where()}: a Palm function is an instance method taking (byte[] or ReadOnlyMemory<byte>[, MessageContext]).");

        var server = Expression.Parameter(typeof(object), "server");
        var payload = Expression.Parameter(typeof(ReadOnlyMemory<byte>), "payload");
        var context = Expression.Parameter(typeof(MessageContext), "context");
        Expression argument = parameters[0].ParameterType switch
        {
            var t when t == typeof(ReadOnlyMemory<byte>) => payload,
            var t when t == typeof(byte[]) => Expression.Call(payload, typeof(ReadOnlyMemory<byte>).GetMethod(nameof(ReadOnlyMemory<byte>.ToArray))!),
            var t => throw new PalmConfigurationException($"{Where()}: the payload parameter is {t.Name}; use byte[] or ReadOnlyMemory<byte>."),
        };
        Expression call = Expression.Call(Expression.Convert(server, type), method, wantsContext ? [argument, context] : [argument]);
        var isGenerator = typeof(SourceServer).IsAssignableFrom(type) && IsSequence(method.ReturnType);
        var body = isGenerator
            ? Expression.New(typeof(ValueTask<object?>).GetConstructor([typeof(object)])!, Expression.Convert(call, typeof(object)))
            : Adapt(call, method.ReturnType, Where);
        var lambda = Expression.Lambda<Func<object, ReadOnlyMemory<byte>, MessageContext?, ValueTask<object?>>>(body, server, payload, context);
        return new ServerFunction(name, wantsContext, lambda.Compile(), isAsync, maxConcurrency, isGenerator);
    }

    /// <summary>Whether a return type is a sequence of payloads a <see cref="SourceServer"/> pulls as a generator.</summary>
    private static bool IsSequence(Type t) =>
        typeof(IEnumerable<byte[]>).IsAssignableFrom(t) || typeof(IEnumerable<ReadOnlyMemory<byte>>).IsAssignableFrom(t)
        || typeof(IAsyncEnumerable<byte[]>).IsAssignableFrom(t) || typeof(IAsyncEnumerable<ReadOnlyMemory<byte>>).IsAssignableFrom(t);

    /// <summary>Wraps the call so that every return shape becomes a <c>ValueTask&lt;object?&gt;</c>.</summary>
    private static Expression Adapt(Expression call, Type returns, Func<string> where)
    {
        if (returns == typeof(void))
            return Expression.Block(call, Expression.Default(typeof(ValueTask<object?>)));
        if (returns == typeof(Task) || returns == typeof(ValueTask))
            return Expression.Call(typeof(Adapters).GetMethod(returns == typeof(Task) ? nameof(Adapters.FromTask) : nameof(Adapters.FromValueTask))!, call);
        if (returns.IsGenericType && (returns.GetGenericTypeDefinition() == typeof(Task<>) || returns.GetGenericTypeDefinition() == typeof(ValueTask<>)))
        {
            var inner = returns.GetGenericArguments()[0];
            CheckShape(inner, where);
            var adapter = returns.GetGenericTypeDefinition() == typeof(Task<>) ? nameof(Adapters.FromTaskOf) : nameof(Adapters.FromValueTaskOf);
            return Expression.Call(typeof(Adapters).GetMethod(adapter)!.MakeGenericMethod(inner), call);
        }
        CheckShape(returns, where);
        return Expression.New(typeof(ValueTask<object?>).GetConstructor([typeof(object)])!, Expression.Convert(call, typeof(object)));
    }

    private static void CheckShape(Type t, Func<string> where)
    {
        if (t == typeof(byte[]) || t == typeof(ReadOnlyMemory<byte>) || t == typeof(Memory<byte>)
            || typeof(IEnumerable<byte[]>).IsAssignableFrom(t) || typeof(IEnumerable<ReadOnlyMemory<byte>>).IsAssignableFrom(t))
            return;
        throw new PalmConfigurationException(
            $"{where()}: returns {t.Name}; a Palm function returns byte[], ReadOnlyMemory<byte>, IEnumerable<byte[]>, IEnumerable<ReadOnlyMemory<byte>>, void, or a Task/ValueTask of these"
            + " (and a SourceServer's generator an IAsyncEnumerable<byte[]> or IAsyncEnumerable<ReadOnlyMemory<byte>>).");
    }

    private static class Adapters
    {
        public static ValueTask<object?> FromTask(Task t) => t.IsCompletedSuccessfully ? default : Await(t);

        public static ValueTask<object?> FromValueTask(ValueTask t) => t.IsCompletedSuccessfully ? default : Await(t.AsTask());

        public static ValueTask<object?> FromTaskOf<T>(Task<T> t) =>
            t.IsCompletedSuccessfully ? new ValueTask<object?>(t.Result) : AwaitOf(t);

        public static ValueTask<object?> FromValueTaskOf<T>(ValueTask<T> t) =>
            t.IsCompletedSuccessfully ? new ValueTask<object?>(t.Result) : AwaitOf(t.AsTask());

        private static async ValueTask<object?> Await(Task t)
        {
            await t.ConfigureAwait(false);
            return null;
        }

        private static async ValueTask<object?> AwaitOf<T>(Task<T> t) => await t.ConfigureAwait(false);
    }
}
