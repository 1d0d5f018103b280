using System;
using System.Collections.Generic;

namespace Pixbridge;

/// <summary>
/// One operation of a loaded plugin (<see cref="PluginLibrary.Operations"/>): what it is called,
/// what it does, whether it makes a new image or changes its input, and its parameters.
/// </summary>
/// <remarks>
/// Apply a <see cref="PluginOperationKind.Fresh"/> operation with
/// <see cref="Image.Apply(string, PluginArguments?)"/> and an
/// <see cref="PluginOperationKind.InPlace"/> one with
/// <see cref="Image.ApplyInPlace(string, PluginArguments?)"/>. The description is read once,
/// when the plugin is loaded, and does not change.
/// </remarks>
public sealed class PluginOperation
{
    internal PluginOperation(string name, string description, PluginOperationKind kind, IReadOnlyList<PluginParameter> parameters)
    {
        Name = name;
        Description = description;
        Kind = kind;
        Parameters = parameters;
    }

    /// <summary>The name the operation is applied by; unique among Pixbridge's own operations and every loaded plugin's.</summary>
    public string Name { get; }

    /// <summary>What the operation does, as the plugin documents it.</summary>
    public string Description { get; }

    /// <summary>Whether the operation returns a new image (<see cref="PluginOperationKind.Fresh"/>) or changes its input (<see cref="PluginOperationKind.InPlace"/>).</summary>
    public PluginOperationKind Kind { get; }

    /// <summary>The parameters, in declaration order (the order the values cross the C ABI in).</summary>
    public IReadOnlyList<PluginParameter> Parameters { get; }

    /// <summary>Describes the operation, e.g. <c>sepia(strength) [InPlace]</c>.</summary>
    /// <returns>A short description.</returns>
    public override string ToString() => $"{Name}({string.Join(", ", ParameterNames())}) [{Kind}]";

    /// <summary>The parameter names, in order.</summary>
    internal IEnumerable<string> ParameterNames()
    {
        foreach (var parameter in Parameters)
        {
            yield return parameter.Name;
        }
    }
}

/// <summary>
/// One parameter of a plugin operation (<see cref="PluginOperation.Parameters"/>). Every value
/// crosses the C ABI as a <see cref="double"/>; <see cref="Type"/> says which values are accepted,
/// <see cref="Minimum"/> and <see cref="Maximum"/> the range (both included).
/// </summary>
public sealed class PluginParameter
{
    internal PluginParameter(string name, string description, PluginParameterType type, double defaultValue, double minimum, double maximum)
    {
        Name = name;
        Description = description;
        Type = type;
        DefaultValue = defaultValue;
        Minimum = minimum;
        Maximum = maximum;
    }

    /// <summary>The name used in <see cref="PluginArguments"/>.</summary>
    public string Name { get; }

    /// <summary>What the parameter does, as the plugin documents it.</summary>
    public string Description { get; }

    /// <summary>Which values are accepted: whole numbers, finite reals, or 0 and 1 (<see cref="PluginParameterType.Bool"/>).</summary>
    public PluginParameterType Type { get; }

    /// <summary>The value used when the caller does not give one.</summary>
    public double DefaultValue { get; }

    /// <summary>The smallest accepted value.</summary>
    public double Minimum { get; }

    /// <summary>The largest accepted value.</summary>
    public double Maximum { get; }

    /// <summary>Describes the parameter, e.g. <c>strength: Float = 1 (0..1)</c>.</summary>
    /// <returns>A short description.</returns>
    public override string ToString() =>
        FormattableString.Invariant($"{Name}: {Type} = {DefaultValue} ({Minimum}..{Maximum})");
}
