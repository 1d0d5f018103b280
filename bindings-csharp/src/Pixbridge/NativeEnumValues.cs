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
