using System.Numerics;

namespace Palm.Transport.Internal;

/// <summary>
/// The arrays outbound frame bodies are kept in until their receiver confirms them, reused from frame to frame: a frame lives
/// long enough that a fresh array per frame would cost full collections (docs/internals.md#framebodypool).
/// </summary>
/// <param name="maxBodyBytes">The largest body a frame may have; larger requests get an array the pool does not keep.</param>
internal sealed class FrameBodyPool(int maxBodyBytes)
{
    /// <summary>The most the pool keeps, idle, across every size.</summary>
    public const long RetainedBytesLimit = 64L * 1024 * 1024;

    private const int SmallestBytes = 1024;
    private const int SmallestLog2 = 10;
    private const int ClassesPerOctave = 4;

    private readonly Stack<byte[]>[] _classes =
        [.. Enumerable.Range(0, ClassOf(Math.Max(maxBodyBytes, SmallestBytes)) + 1).Select(_ => new Stack<byte[]>())];
    private long _retained;

    /// <summary>The largest array the pool keeps.</summary>
    public int MaxPooledBytes { get; } = maxBodyBytes;

    /// <summary>Arrays the pool keeps now, in bytes.</summary>
    public long RetainedBytes => Interlocked.Read(ref _retained);

    /// <summary>An array of at least <paramref name="length"/> bytes (contents undefined); give it back with <see cref="Return"/>.</summary>
    public byte[] Rent(int length)
    {
        if (length > MaxPooledBytes) return GC.AllocateUninitializedArray<byte>(length);
        var index = ClassOf(length);
        var stack = _classes[index];
        lock (stack)
        {
            if (stack.TryPop(out var array))
            {
                Interlocked.Add(ref _retained, -array.Length);
                return array;
            }
        }
        return GC.AllocateUninitializedArray<byte>(SizeOf(index));
    }

    /// <summary>Takes back an array <see cref="Rent"/> gave; the caller must not touch it again.</summary>
    public void Return(byte[] array)
    {
        var index = ClassOf(array.Length);
        // Only arrays of a class's exact size come from Rent (a larger one was made for one frame).
        if (index >= _classes.Length || SizeOf(index) != array.Length) return;
        if (Interlocked.Add(ref _retained, array.Length) > RetainedBytesLimit)
        {
            Interlocked.Add(ref _retained, -array.Length);
            return;
        }
        var stack = _classes[index];
        lock (stack) stack.Push(array);
    }

    /// <summary>The size class of an array of <paramref name="length"/> bytes: the smallest class at least that large.</summary>
    internal static int ClassOf(int length)
    {
        if (length <= SmallestBytes) return 0;
        // 2^k < length <= 2^(k+1); the classes above 2^k are 2^k + q * 2^k / 4, q = 1..4.
        var k = BitOperations.Log2((uint)(length - 1));
        var quarter = 1 << (k - 2);
        var q = (length - (1 << k) + quarter - 1) / quarter;
        return (k - SmallestLog2) * ClassesPerOctave + q;
    }

    /// <summary>The array length of size class <paramref name="index"/>.</summary>
    internal static int SizeOf(int index)
    {
        if (index == 0) return SmallestBytes;
        var k = (index - 1) / ClassesPerOctave + SmallestLog2;
        var q = (index - 1) % ClassesPerOctave + 1;
        return (1 << k) + q * (1 << (k - 2));
    }
}
