using System;
using System.Collections;
using System.Collections.Generic;
using System.Linq;

namespace Pixbridge;

/// <summary>
/// Named arguments for a plugin operation (<see cref="Image.Apply(string, PluginArguments?)"/>,
/// <see cref="Image.ApplyInPlace(string, PluginArguments?)"/>), written with a collection initializer:
/// <c>new PluginArguments { ["strength"] = 0.8 }</c> or <c>new PluginArguments { { "levels", 4 } }</c>.
/// </summary>
/// <remarks>
/// <para>
/// Every value is a <see cref="double"/>, as it crosses the C ABI; a <see cref="bool"/> is 1 (true)
/// or 0 (false). Parameters not given take their default
/// (<see cref="PluginParameter.DefaultValue"/>). Names are matched exactly (ordinal,
/// case-sensitive) against the operation's <see cref="PluginOperation.Parameters"/> when the
/// operation is applied: a name the operation does not have is a <see cref="PixbridgeException"/>
/// with <see cref="ErrorCode.InvalidArgument"/> that lists the names it has. Types and ranges are
/// checked by the native library, with the same error code.
/// </para>
/// <para>Not thread-safe while being changed; an instance that is no longer changed may be shared.</para>
/// </remarks>
public sealed class PluginArguments : IReadOnlyDictionary<string, double>
{
    private readonly Dictionary<string, double> _values = new(StringComparer.Ordinal);

    /// <summary>Creates an empty set of arguments (every parameter takes its default).</summary>
    public PluginArguments()
    {
    }

    /// <summary>
    /// The value of parameter <paramref name="name"/>; setting it adds the parameter or replaces its value.
    /// </summary>
    /// <param name="name">A parameter name.</param>
    /// <returns>The value given for the parameter.</returns>
    /// <exception cref="ArgumentNullException"><paramref name="name"/> is null.</exception>
    /// <exception cref="KeyNotFoundException">Getting a parameter that was not given.</exception>
    public double this[string name]
    {
        get
        {
            ArgumentNullException.ThrowIfNull(name);
            return _values[name];
        }
        set
        {
            ArgumentNullException.ThrowIfNull(name);
            _values[name] = value;
        }
    }

    /// <summary>Adds a number (whole numbers convert implicitly: <c>{ "levels", 4 }</c>).</summary>
    /// <param name="name">A parameter name.</param>
    /// <param name="value">Its value.</param>
    /// <exception cref="ArgumentNullException"><paramref name="name"/> is null.</exception>
    /// <exception cref="ArgumentException"><paramref name="name"/> was already given.</exception>
    public void Add(string name, double value)
    {
        ArgumentNullException.ThrowIfNull(name);
        if (!_values.TryAdd(name, value))
        {
            throw new ArgumentException($"The argument '{name}' is already given.", nameof(name));
        }
    }

    /// <summary>Adds a flag, as 1 (<c>true</c>) or 0 (<c>false</c>).</summary>
    /// <param name="name">A parameter name.</param>
    /// <param name="value">Its value.</param>
    /// <exception cref="ArgumentNullException"><paramref name="name"/> is null.</exception>
    /// <exception cref="ArgumentException"><paramref name="name"/> was already given.</exception>
    public void Add(string name, bool value) => Add(name, value ? 1.0 : 0.0);

    /// <summary>How many arguments are given.</summary>
    public int Count => _values.Count;

    /// <summary>The names given.</summary>
    public IEnumerable<string> Keys => _values.Keys;

    /// <summary>The values given, in the order of <see cref="Keys"/>.</summary>
    public IEnumerable<double> Values => _values.Values;

    /// <summary>Whether parameter <paramref name="name"/> is given.</summary>
    /// <param name="name">A parameter name.</param>
    /// <returns><c>true</c> if it is given.</returns>
    /// <exception cref="ArgumentNullException"><paramref name="name"/> is null.</exception>
    public bool ContainsKey(string name) => _values.ContainsKey(name);

    /// <summary>Gets the value of parameter <paramref name="name"/> if it is given.</summary>
    /// <param name="name">A parameter name.</param>
    /// <param name="value">Its value, or 0.</param>
    /// <returns><c>true</c> if it is given.</returns>
    /// <exception cref="ArgumentNullException"><paramref name="name"/> is null.</exception>
    public bool TryGetValue(string name, out double value) => _values.TryGetValue(name, out value);

    /// <summary>Enumerates the arguments given.</summary>
    /// <returns>An enumerator of name and value pairs.</returns>
    public IEnumerator<KeyValuePair<string, double>> GetEnumerator() => _values.GetEnumerator();

    IEnumerator IEnumerable.GetEnumerator() => GetEnumerator();

    /// <summary>Lists the arguments, e.g. <c>{ strength = 0.8 }</c>.</summary>
    /// <returns>A short description.</returns>
    public override string ToString() =>
        "{ " + string.Join(", ", _values.Select(p => FormattableString.Invariant($"{p.Key} = {p.Value}"))) + " }";

    /// <summary>
    /// The positional values for <paramref name="operation"/>: one per parameter in declaration
    /// order, the given value or the default.
    /// </summary>
    /// <exception cref="PixbridgeException">
    /// <see cref="ErrorCode.InvalidArgument"/>: a name the operation does not have (the message lists the names it has).
    /// </exception>
    internal double[] ToPositional(PluginOperation operation)
    {
        foreach (var name in _values.Keys)
        {
            if (!operation.Parameters.Any(p => p.Name == name))
            {
                var valid = operation.Parameters.Count == 0
                    ? "it has no parameters"
                    : "its parameters are " + string.Join(", ", operation.ParameterNames().Select(n => $"`{n}`"));
                throw new PixbridgeException(ErrorCode.InvalidArgument,
                    $"the plugin operation `{operation.Name}` has no parameter `{name}`; {valid}");
            }
        }
        var positional = new double[operation.Parameters.Count];
        for (var i = 0; i < positional.Length; i++)
        {
            var parameter = operation.Parameters[i];
            positional[i] = _values.TryGetValue(parameter.Name, out var value) ? value : parameter.DefaultValue;
        }
        return positional;
    }
}
