/* A small, strict JSON reader for the golden manifest (RFC 8259: objects, arrays, strings with
 * every escape, numbers, true, false, null). Anything else is an error with its byte offset:
 * trailing commas, comments, leading zeros, control characters in strings, duplicate keys,
 * text after the value, nesting deeper than 64. C11, no dependencies beyond libc.
 */
#ifndef PIXBRIDGE_JSON_H
#define PIXBRIDGE_JSON_H

#include <stddef.h>

#ifdef __cplusplus
extern "C" {
#endif

typedef enum { JSON_NULL, JSON_BOOL, JSON_NUMBER, JSON_STRING, JSON_ARRAY, JSON_OBJECT } json_type;

typedef struct json_value json_value;

typedef struct json_member {
    char* key; /* NUL-terminated UTF-8 (a key holding \u0000 is refused) */
    json_value* value;
} json_member;

struct json_value {
    json_type type;
    int boolean;          /* JSON_BOOL: 0 or 1 */
    double number;        /* JSON_NUMBER: the value, correctly rounded by strtod */
    int is_integer;       /* JSON_NUMBER: written without fraction or exponent */
    int integer_fits;     /* JSON_NUMBER: is_integer and within long long */
    long long integer;    /* JSON_NUMBER: the value when integer_fits */
    char* string;         /* JSON_STRING: NUL-terminated UTF-8 */
    size_t length;        /* JSON_STRING: bytes (without NUL); ARRAY/OBJECT: element count */
    json_value** items;   /* JSON_ARRAY */
    json_member* members; /* JSON_OBJECT, in document order */
};

/* Parses `(text, length)`. Returns the root value (free it with json_free), or NULL with a
 * message (offset and cause) in `error` (`error_size` bytes). */
json_value* json_parse(const char* text, size_t length, char* error, size_t error_size);

void json_free(json_value* value);

/* The member `key` of an object, or NULL (also when `object` is not an object). */
const json_value* json_get(const json_value* object, const char* key);

/* The name of a type, for messages. */
const char* json_type_name(json_type type);

#ifdef __cplusplus
}
#endif

#endif /* PIXBRIDGE_JSON_H */
