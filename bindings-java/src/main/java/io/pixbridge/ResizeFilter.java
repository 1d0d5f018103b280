package io.pixbridge;

/** The resampling filter of {@link Image#resize(int, int, ResizeFilter)}. */
public enum ResizeFilter {
    /** Nearest neighbour: fastest, blocky. */
    NEAREST(0),
    /** Bilinear interpolation. */
    BILINEAR(1),
    /** Lanczos with a window of 3: sharpest, slowest. */
    LANCZOS3(2);

    private final int value;

    ResizeFilter(int value) {
        this.value = value;
    }

    /**
     * Returns the stable number of this filter, as used by the C ABI.
     *
     * @return the filter's number
     */
    public int value() {
        return value;
    }
}
