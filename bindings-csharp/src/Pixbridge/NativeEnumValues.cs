namespace Pixbridge.Native;

// The generated C ABI enums keep their variant number private. These partial declarations expose
// it so that converting to the public enums (same Rust enum, same numbers; the generator's tests
// check the public numbers) is a cast, not a string round trip.

/// <summary>The number of a C ABI error code.</summary>
internal partial struct ErrorCode
{
    /// <summary>The stable number (see <see cref="Pixbridge.ErrorCode"/>).</summary>
    internal int Value => _variant;
}

/// <summary>The number of a C ABI colour type.</summary>
internal partial struct ColorType
{
    /// <summary>The stable number (see <see cref="Pixbridge.ColorType"/>).</summary>
    internal int Value => _variant;
}

/// <summary>The number of a C ABI plugin operation kind.</summary>
internal partial struct PluginOperationKind
{
    /// <summary>The stable number (see <see cref="Pixbridge.PluginOperationKind"/>).</summary>
    internal int Value => _variant;
}

/// <summary>The number of a C ABI plugin parameter type.</summary>
internal partial struct PluginParameterType
{
    /// <summary>The stable number (see <see cref="Pixbridge.PluginParameterType"/>).</summary>
    internal int Value => _variant;
}

/// <summary>The number of a C ABI plugin text code.</summary>
internal partial struct PluginText
{
    /// <summary>The stable number (see <see cref="Pixbridge.PluginText"/>).</summary>
    internal int Value => _variant;
}
