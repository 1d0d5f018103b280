using System;
using System.Linq;
using System.Reflection;
using System.Text.Json;
using System.Threading.Tasks;
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

        var (method, arguments) = Bind(name, op, "");
        return Invoke(method, image, arguments) as Image;
    }

    /// <summary>
    /// Applies one operation through its asynchronous twin (<c>blur</c> is <c>BlurAsync</c>, with
    /// no progress and no cancellation); returns the new image of a fresh operation, or null.
    /// <c>encode_decode</c> goes through <see cref="Image.EncodeAsync(ImageFormat, int?, IProgress{float}?, System.Threading.CancellationToken)"/>
    /// and <see cref="Image.LoadAsync(ReadOnlyMemory{byte}, DecodeLimits?, IProgress{float}?, System.Threading.CancellationToken)"/>.
    /// </summary>
    public static async Task<Image?> ApplyAsync(Image image, JsonElement op)
    {
        var name = op.GetProperty("op").GetString()!;
        if (name == "encode_decode")
        {
            var format = Enum.Parse<ImageFormat>(op.GetProperty("format").GetString()!, ignoreCase: true);
            int? quality = op.TryGetProperty("quality", out var q) ? q.GetInt32() : null;
            return await Image.LoadAsync(await image.EncodeAsync(format, quality));
        }

        var (method, arguments) = Bind(name, op, "Async");
        var task = (Task)Invoke(method, image, arguments.Concat(new object?[] { null, default(System.Threading.CancellationToken) }).ToArray())!;
        await task;
        return task is Task<Image> fresh ? fresh.Result : null;
    }

    /// <summary>
    /// The method <c>PascalName + suffix</c> of an operation and its arguments from the manifest,
    /// matched by name (an async twin's trailing <c>progress</c> and <c>cancellationToken</c> are not
    /// manifest parameters).
    /// </summary>
    private static (MethodInfo Method, object?[] Arguments) Bind(string name, JsonElement op, string suffix)
    {
        var methodName = string.Concat(name.Split('_').Select(word => char.ToUpperInvariant(word[0]) + word[1..])) + suffix;
        var method = typeof(Image).GetMethod(methodName, BindingFlags.Public | BindingFlags.Instance)
            ?? throw new InvalidOperationException($"manifest operation {name}: Image has no method {methodName}");
        var parameters = method.GetParameters().Where(p => p.Name is not ("progress" or "cancellationToken")).ToArray();
        var extra = op.EnumerateObject().Select(p => p.Name).Where(p => p != "op").Except(parameters.Select(p => SnakeCase(p.Name!))).ToList();
        Assert.True(extra.Count == 0, $"manifest operation {name} has unknown parameters: {string.Join(", ", extra)}");

        try
        {
            return (method, parameters.Select(p => Convert(op, name, p)).ToArray());
        }
        catch (OverflowException e)
        {
            // The value does not fit the C# parameter type (e.g. above int.MaxValue).
            throw new ArgumentOutOfRangeException(e.Message, e);
        }
    }

    /// <summary>Invokes by reflection, rethrowing what the method threw (not TargetInvocationException).</summary>
    private static object? Invoke(MethodInfo method, Image image, object?[] arguments)
    {
        try
        {
            return method.Invoke(image, arguments);
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
