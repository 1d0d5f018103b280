/* no_entry: a shared library that is not a plugin: it exports a function, but no
 * `pixbridge_plugin_entry` (built as libbad_no_entry.so).
 *
 * What the host must do: open it, find no entry symbol, refuse it with an error naming the
 * missing `pixbridge_plugin_entry`, and close it again.
 */
#if defined(__GNUC__)
__attribute__((visibility("default")))
#endif
int not_a_plugin_entry(void);

int not_a_plugin_entry(void) {
    return 42;
}
