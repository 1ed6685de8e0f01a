namespace Palm.Configuration.Internal;

/// <summary>The known name closest to a mistyped one, for "did you mean ...?" in errors about flags and keys.</summary>
internal static class NearestName
{
    /// <summary>
    /// The candidate at the smallest edit distance from <paramref name="name"/>, or null when even that one differs in
    /// more than about half of the name's last part (after its last dot, without a flag's dashes): a suggestion that far off would mislead more than help.
    /// </summary>
    public static string? Of(string name, IEnumerable<string> candidates)
    {
        string? best = null;
        var bestDistance = int.MaxValue;
        foreach (var candidate in candidates)
        {
            var d = Distance(name, candidate);
            if (d < bestDistance || (d == bestDistance && string.CompareOrdinal(candidate, best) < 0))
                (best, bestDistance) = (candidate, d);
        }
        // The last part is what a typo changes; "palm.client.colour" is not "palm.client.window" because the sections match.
        var last = name[(name.LastIndexOf('.') + 1)..].TrimStart('-').Length;
        return best is not null && bestDistance <= Math.Max(2, last / 2) ? best : null;
    }

    /// <summary>Levenshtein distance: insertions, deletions and substitutions of one character each count 1.</summary>
    public static int Distance(string a, string b)
    {
        var previous = new int[b.Length + 1];
        var current = new int[b.Length + 1];
        for (var j = 0; j <= b.Length; j++) previous[j] = j;
        for (var i = 1; i <= a.Length; i++)
        {
            current[0] = i;
            for (var j = 1; j <= b.Length; j++)
                current[j] = Math.Min(Math.Min(current[j - 1] + 1, previous[j] + 1), previous[j - 1] + (a[i - 1] == b[j - 1] ? 0 : 1));
            (previous, current) = (current, previous);
        }
        return previous[b.Length];
    }
}
