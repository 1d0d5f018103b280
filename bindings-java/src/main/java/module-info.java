/**
 * Pixbridge for Java: decode, transform and encode images with the Rust core of Pixbridge.
 *
 * <p>Start with {@link io.pixbridge.Image}.
 */
module io.pixbridge {
    exports io.pixbridge;
}
