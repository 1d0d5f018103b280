using System;
using System.Linq;
using System.Reflection;
using System.Text.Json;
using Xunit;

namespace Pixbridge.Tests;

/// <summary>
/// Applies a manifest operation (<c>{"op": "adjust_brightness", "delta": 10}</c>) to an image, for
/// both the golden manifest and the bad-input corpus, which share this syntax.
/// </summary>
/// <remarks>
/// Operations are found by name: <c>adjust_brightness</c> is <see cref="Image.AdjustBrightness"/>
/// and parameters are matched by name, so no operation is listed here by hand and the manifests
/// exercise the generated methods exactly as a user calls them. A value that does not fit the C#
/// parameter type (an unsigned 32-bit value above <c>int.MaxValue</c>) is an
/// <see cref="ArgumentOutOfRangeException"/>, as C# refuses it before any native call.
/// </remarks>
internal static class ManifestOps
{
    /// <summary>Applies one operation; returns the new image of a fresh operation, or null.</summary>
    public static Image? Apply(Image image, JsonElement op)
    {
        var name = op.GetProperty("op").GetString()!;
        if (name == "encode_decode")
        {
            var format = Enum.Parse<ImageFormat>(op.GetProperty("format").GetString()!, ignoreCase: true);
            int? quality = op.TryGetProperty("quality", out var q) ? q.GetInt32() : null;
            return Image.Load(image.Encode(format, quality));
        }

        var methodName = string.Concat(name.Split('_').Select(word => char.ToUpperInvariant(word[0]) + word[1..]));
        var method = typeof(Image).GetMethod(methodName, BindingFlags.Public | BindingFlags.Instance)
            ?? throw new InvalidOperationException($"manifest operation {name}: Image has no method {methodName}");
        var parameters = method.GetParameters();
        var extra = op.EnumerateObject().Select(p => p.Name).Where(p => p != "op").Except(parameters.Select(p => SnakeCase(p.Name!))).ToList();
        Assert.True(extra.Count == 0, $"manifest operation {name} has unknown parameters: {string.Join(", ", extra)}");

        object?[] arguments;
        try
        {
            arguments = parameters.Select(p => Convert(op, name, p)).ToArray();
        }
        catch (OverflowException e)
        {
            // The value does not fit the C# parameter type (e.g. above int.MaxValue).
            throw new ArgumentOutOfRangeException(e.Message, e);
        }
        try
        {
            return method.Invoke(image, arguments) as Image;
        }
        catch (TargetInvocationException e) when (e.InnerException is not null)
        {
            System.Runtime.ExceptionServices.ExceptionDispatchInfo.Throw(e.InnerException);
            throw;
        }
    }

    private static object Convert(JsonElement op, string opName, ParameterInfo parameter)
    {
        var key = SnakeCase(parameter.Name!);
        if (!op.TryGetProperty(key, out var value))
        {
            throw new InvalidOperationException($"manifest operation {opName} lacks parameter {key}");
        }
        if (parameter.ParameterType == typeof(float))
        {
            return value.ValueKind == JsonValueKind.String
                ? value.GetString() switch
                {
                    "NaN" => float.NaN,
                    "Infinity" => float.PositiveInfinity,
                    "-Infinity" => float.NegativeInfinity,
                    var other => throw new InvalidOperationException($"bad float {other}"),
                }
                : value.GetSingle();
        }
        if (parameter.ParameterType == typeof(int))
        {
            return checked((int)value.GetInt64());
        }
        if (parameter.ParameterType == typeof(ResizeFilter))
        {
            return Enum.Parse<ResizeFilter>(value.GetString()!);
        }
        throw new InvalidOperationException($"unsupported parameter type {parameter.ParameterType} of {opName}.{key}");
    }

    private static string SnakeCase(string camel) =>
        string.Concat(camel.Select((c, i) => char.IsUpper(c) ? (i > 0 ? "_" : "") + char.ToLowerInvariant(c) : c.ToString()));

}
