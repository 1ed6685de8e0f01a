using Akka.Configuration;

namespace Palm.Configuration;

/// <summary>
/// Reads one HOCON section key by key, so that every bad value is reported with its full key and what it
/// should be, instead of a <see cref="FormatException"/> that names nothing.
/// </summary>
internal sealed class SettingsReader
{
    private readonly Config _section;
    private readonly string _path;

    /// <summary>Reads section <paramref name="path"/> of <paramref name="config"/>, with <see cref="PalmConfig.Reference"/> as its fallback.</summary>
    public SettingsReader(Config config, string path)
    {
        var full = ReferenceEquals(config, PalmConfig.Reference) ? config : config.WithFallback(PalmConfig.Reference);
        _section = full.GetConfig(path) ?? Config.Empty;
        _path = path;
    }

    /// <summary>Whether the section has <paramref name="key"/> (here or in the reference).</summary>
    public bool Has(string key) => _section.HasPath(key);

    /// <summary>A string; empty when the key is empty.</summary>
    public string String(string key) => Read(key, "a string", k => _section.GetString(k) ?? "");

    /// <summary>A list of strings (<c>["a", "b"]</c>).</summary>
    public IReadOnlyList<string> StringList(string key) =>
        Read(key, "a list of strings (e.g. [\"a\", \"b\"])", k => _section.GetValue(k).IsString() ? throw new FormatException("not a list") : _section.GetStringList(k).ToArray());

    /// <summary>on or off.</summary>
    public bool Boolean(string key) => Read(key, "on or off", k => _section.GetBoolean(k));

    /// <summary>An integer of at least <paramref name="min"/> (and at most <paramref name="max"/>).</summary>
    public int Int(string key, int min, int max = int.MaxValue) =>
        Check(key, Read(key, "an integer", k => _section.GetInt(k)), v => v >= min && v <= max, max == int.MaxValue ? $"at least {min}" : $"from {min} to {max}");

    /// <summary>A size in bytes (<c>64KiB</c>, <c>1m</c>...) of at least <paramref name="min"/> and at most <paramref name="max"/>.</summary>
    public long Bytes(string key, long min, long max = long.MaxValue) =>
        Check(key, Read(key, "a size in bytes (e.g. 64KiB)", k => _section.GetByteSize(k) ?? throw new FormatException("empty")),
            v => v >= min && v <= max, max == long.MaxValue ? $"at least {min} bytes" : $"from {min} to {max} bytes");

    /// <summary>A duration (<c>5s</c>, <c>200ms</c>...) that is positive, or with <paramref name="zeroAllowed"/> not negative.</summary>
    public TimeSpan Duration(string key, bool zeroAllowed = false) =>
        Check(key, Read(key, "a duration (e.g. 5s or 200ms)", k => _section.GetTimeSpan(k)),
            v => zeroAllowed ? v >= TimeSpan.Zero : v > TimeSpan.Zero, zeroAllowed ? "not negative" : "positive");

    private T Read<T>(string key, string what, Func<string, T> read)
    {
        if (!_section.HasPath(key))
            throw new ConfigurationException($"{_path}.{key} is missing; it must be {what} (defaults are in Palm's reference.conf).");
        try
        {
            return read(key);
        }
        catch (Exception e)
        {
            throw new ConfigurationException($"{_path}.{key} = '{Raw(key)}' is not {what}.", e);
        }
    }

    private T Check<T>(string key, T value, Func<T, bool> valid, string expected) =>
        valid(value) ? value : throw new ConfigurationException($"{_path}.{key} = {Raw(key)} is out of range: it must be {expected}.");

    private string Raw(string key)
    {
        try
        {
            return _section.GetValue(key)?.ToString() ?? "";
        }
        catch (Exception)
        {
            return "?";
        }
    }
}
