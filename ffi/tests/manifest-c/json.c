/* The strict JSON reader of json.h: recursive descent over the whole text, one allocation per
 * value. Numbers are checked against the JSON grammar before strtod (C locale) converts them. */
#include "json.h"

#include <errno.h>
#include <stdarg.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define JSON_MAX_DEPTH 64

typedef struct {
    const char* text;
    size_t length;
    size_t pos;
    char* error;
    size_t error_size;
    int failed;
} parser;

static void fail(parser* p, const char* format, ...) {
    if (p->failed) {
        return;
    }
    p->failed = 1;
    if (p->error_size == 0) {
        return;
    }
    int written = snprintf(p->error, p->error_size, "JSON at byte %zu: ", p->pos);
    if (written < 0 || (size_t)written >= p->error_size) {
        return;
    }
    va_list args;
    va_start(args, format);
    vsnprintf(p->error + written, p->error_size - (size_t)written, format, args);
    va_end(args);
}

static void skip_whitespace(parser* p) {
    while (p->pos < p->length) {
        char c = p->text[p->pos];
        if (c != ' ' && c != '\t' && c != '\n' && c != '\r') {
            return;
        }
        p->pos++;
    }
}

static int peek(const parser* p) {
    return p->pos < p->length ? (unsigned char)p->text[p->pos] : -1;
}

static json_value* new_value(parser* p, json_type type) {
    json_value* value = calloc(1, sizeof *value);
    if (value == NULL) {
        fail(p, "out of memory");
        return NULL;
    }
    value->type = type;
    return value;
}

static json_value* parse_value(parser* p, int depth);

static int literal(parser* p, const char* word) {
    size_t n = strlen(word);
    if (p->length - p->pos < n || memcmp(p->text + p->pos, word, n) != 0) {
        fail(p, "unexpected character '%c'", p->text[p->pos]);
        return 0;
    }
    p->pos += n;
    return 1;
}

/* Appends the UTF-8 encoding of `code_point` to `out` (room for 4 bytes is guaranteed). */
static size_t put_utf8(char* out, uint32_t code_point) {
    if (code_point < 0x80) {
        out[0] = (char)code_point;
        return 1;
    }
    if (code_point < 0x800) {
        out[0] = (char)(0xC0 | (code_point >> 6));
        out[1] = (char)(0x80 | (code_point & 0x3F));
        return 2;
    }
    if (code_point < 0x10000) {
        out[0] = (char)(0xE0 | (code_point >> 12));
        out[1] = (char)(0x80 | ((code_point >> 6) & 0x3F));
        out[2] = (char)(0x80 | (code_point & 0x3F));
        return 3;
    }
    out[0] = (char)(0xF0 | (code_point >> 18));
    out[1] = (char)(0x80 | ((code_point >> 12) & 0x3F));
    out[2] = (char)(0x80 | ((code_point >> 6) & 0x3F));
    out[3] = (char)(0x80 | (code_point & 0x3F));
    return 4;
}

static int hex4(parser* p, uint32_t* out) {
    if (p->length - p->pos < 4) {
        fail(p, "truncated \\u escape");
        return 0;
    }
    uint32_t value = 0;
    for (int i = 0; i < 4; i++) {
        char c = p->text[p->pos + (size_t)i];
        uint32_t digit;
        if (c >= '0' && c <= '9') {
            digit = (uint32_t)(c - '0');
        } else if (c >= 'a' && c <= 'f') {
            digit = (uint32_t)(c - 'a' + 10);
        } else if (c >= 'A' && c <= 'F') {
            digit = (uint32_t)(c - 'A' + 10);
        } else {
            fail(p, "bad hex digit in \\u escape");
            return 0;
        }
        value = value * 16 + digit;
    }
    p->pos += 4;
    *out = value;
    return 1;
}

/* Parses a string at p->pos (on the opening quote); returns a malloc'd NUL-terminated copy. */
static char* parse_string(parser* p, size_t* out_length) {
    p->pos++; /* the opening quote */
    /* The decoded text is never longer than the source text. */
    size_t start = p->pos;
    size_t end = start;
    while (end < p->length && p->text[end] != '"') {
        end += p->text[end] == '\\' ? 2 : 1;
    }
    char* out = malloc(end - start + 1);
    if (out == NULL) {
        fail(p, "out of memory");
        return NULL;
    }
    size_t n = 0;
    for (;;) {
        if (p->pos >= p->length) {
            fail(p, "unterminated string");
            break;
        }
        unsigned char c = (unsigned char)p->text[p->pos];
        if (c == '"') {
            p->pos++;
            out[n] = '\0';
            *out_length = n;
            return out;
        }
        if (c < 0x20) {
            fail(p, "control character 0x%02x in a string", c);
            break;
        }
        if (c != '\\') {
            out[n++] = (char)c;
            p->pos++;
            continue;
        }
        p->pos++;
        int escape = peek(p);
        p->pos++;
        switch (escape) {
        case '"': out[n++] = '"'; continue;
        case '\\': out[n++] = '\\'; continue;
        case '/': out[n++] = '/'; continue;
        case 'b': out[n++] = '\b'; continue;
        case 'f': out[n++] = '\f'; continue;
        case 'n': out[n++] = '\n'; continue;
        case 'r': out[n++] = '\r'; continue;
        case 't': out[n++] = '\t'; continue;
        case 'u': {
            uint32_t unit;
            if (!hex4(p, &unit)) {
                break;
            }
            uint32_t code_point = unit;
            if (unit >= 0xD800 && unit <= 0xDBFF) {
                uint32_t low;
                if (p->length - p->pos < 2 || p->text[p->pos] != '\\' || p->text[p->pos + 1] != 'u') {
                    fail(p, "unpaired high surrogate");
                    break;
                }
                p->pos += 2;
                if (!hex4(p, &low)) {
                    break;
                }
                if (low < 0xDC00 || low > 0xDFFF) {
                    fail(p, "high surrogate without a low one");
                    break;
                }
                code_point = 0x10000 + ((unit - 0xD800) << 10) + (low - 0xDC00);
            } else if (unit >= 0xDC00 && unit <= 0xDFFF) {
                fail(p, "unpaired low surrogate");
                break;
            }
            /* \uXXXX (6 source bytes, or 12 for a pair) decodes to at most 4 bytes. */
            n += put_utf8(out + n, code_point);
            continue;
        }
        default:
            p->pos--;
            fail(p, "bad escape");
            break;
        }
        break;
    }
    free(out);
    return NULL;
}

static int is_digit(int c) {
    return c >= '0' && c <= '9';
}

static json_value* parse_number(parser* p) {
    size_t start = p->pos;
    int integer = 1;
    if (peek(p) == '-') {
        p->pos++;
    }
    if (peek(p) == '0') {
        p->pos++;
        if (is_digit(peek(p))) {
            fail(p, "leading zero in a number");
            return NULL;
        }
    } else if (is_digit(peek(p))) {
        while (is_digit(peek(p))) {
            p->pos++;
        }
    } else {
        fail(p, "bad number");
        return NULL;
    }
    if (peek(p) == '.') {
        integer = 0;
        p->pos++;
        if (!is_digit(peek(p))) {
            fail(p, "no digit after the decimal point");
            return NULL;
        }
        while (is_digit(peek(p))) {
            p->pos++;
        }
    }
    if (peek(p) == 'e' || peek(p) == 'E') {
        integer = 0;
        p->pos++;
        if (peek(p) == '+' || peek(p) == '-') {
            p->pos++;
        }
        if (!is_digit(peek(p))) {
            fail(p, "no digit in the exponent");
            return NULL;
        }
        while (is_digit(peek(p))) {
            p->pos++;
        }
    }
    size_t length = p->pos - start;
    char token[64];
    if (length >= sizeof token) {
        fail(p, "number too long");
        return NULL;
    }
    memcpy(token, p->text + start, length);
    token[length] = '\0';
    json_value* value = new_value(p, JSON_NUMBER);
    if (value == NULL) {
        return NULL;
    }
    value->number = strtod(token, NULL);
    value->is_integer = integer;
    if (integer) {
        errno = 0;
        long long parsed = strtoll(token, NULL, 10);
        value->integer_fits = errno == 0;
        value->integer = value->integer_fits ? parsed : 0;
    }
    return value;
}

static json_value* parse_array(parser* p, int depth) {
    json_value* array = new_value(p, JSON_ARRAY);
    if (array == NULL) {
        return NULL;
    }
    p->pos++; /* [ */
    skip_whitespace(p);
    if (peek(p) == ']') {
        p->pos++;
        return array;
    }
    size_t capacity = 0;
    for (;;) {
        json_value* item = parse_value(p, depth + 1);
        if (item == NULL) {
            break;
        }
        if (array->length == capacity) {
            capacity = capacity ? capacity * 2 : 8;
            json_value** items = realloc(array->items, capacity * sizeof *items);
            if (items == NULL) {
                json_free(item);
                fail(p, "out of memory");
                break;
            }
            array->items = items;
        }
        array->items[array->length++] = item;
        skip_whitespace(p);
        if (peek(p) == ',') {
            p->pos++;
            continue;
        }
        if (peek(p) == ']') {
            p->pos++;
            return array;
        }
        fail(p, "expected ',' or ']' in an array");
        break;
    }
    json_free(array);
    return NULL;
}

static json_value* parse_object(parser* p, int depth) {
    json_value* object = new_value(p, JSON_OBJECT);
    if (object == NULL) {
        return NULL;
    }
    p->pos++; /* { */
    skip_whitespace(p);
    if (peek(p) == '}') {
        p->pos++;
        return object;
    }
    size_t capacity = 0;
    for (;;) {
        skip_whitespace(p);
        if (peek(p) != '"') {
            fail(p, "expected a string key in an object");
            break;
        }
        size_t key_start = p->pos;
        size_t key_length = 0;
        char* key = parse_string(p, &key_length);
        if (key == NULL) {
            break;
        }
        if (strlen(key) != key_length) {
            p->pos = key_start;
            fail(p, "key holds a NUL character");
            free(key);
            break;
        }
        if (json_get(object, key) != NULL) {
            p->pos = key_start;
            fail(p, "duplicate key \"%s\"", key);
            free(key);
            break;
        }
        skip_whitespace(p);
        if (peek(p) != ':') {
            fail(p, "expected ':' after the key \"%s\"", key);
            free(key);
            break;
        }
        p->pos++;
        json_value* value = parse_value(p, depth + 1);
        if (value == NULL) {
            free(key);
            break;
        }
        if (object->length == capacity) {
            capacity = capacity ? capacity * 2 : 8;
            json_member* members = realloc(object->members, capacity * sizeof *members);
            if (members == NULL) {
                free(key);
                json_free(value);
                fail(p, "out of memory");
                break;
            }
            object->members = members;
        }
        object->members[object->length].key = key;
        object->members[object->length].value = value;
        object->length++;
        skip_whitespace(p);
        if (peek(p) == ',') {
            p->pos++;
            continue;
        }
        if (peek(p) == '}') {
            p->pos++;
            return object;
        }
        fail(p, "expected ',' or '}' in an object");
        break;
    }
    json_free(object);
    return NULL;
}

static json_value* parse_value(parser* p, int depth) {
    if (depth > JSON_MAX_DEPTH) {
        fail(p, "nested deeper than %d", JSON_MAX_DEPTH);
        return NULL;
    }
    skip_whitespace(p);
    json_value* value = NULL;
    switch (peek(p)) {
    case -1:
        fail(p, "unexpected end of text");
        return NULL;
    case '{':
        return parse_object(p, depth);
    case '[':
        return parse_array(p, depth);
    case '"': {
        size_t length = 0;
        char* string = parse_string(p, &length);
        if (string == NULL) {
            return NULL;
        }
        value = new_value(p, JSON_STRING);
        if (value == NULL) {
            free(string);
            return NULL;
        }
        value->string = string;
        value->length = length;
        return value;
    }
    case 't':
    case 'f': {
        int boolean = peek(p) == 't';
        if (!literal(p, boolean ? "true" : "false")) {
            return NULL;
        }
        value = new_value(p, JSON_BOOL);
        if (value != NULL) {
            value->boolean = boolean;
        }
        return value;
    }
    case 'n':
        return literal(p, "null") ? new_value(p, JSON_NULL) : NULL;
    default:
        if (peek(p) == '-' || is_digit(peek(p))) {
            return parse_number(p);
        }
        fail(p, "unexpected character '%c'", p->text[p->pos]);
        return NULL;
    }
}

json_value* json_parse(const char* text, size_t length, char* error, size_t error_size) {
    parser p = {text, length, 0, error, error_size, 0};
    if (error_size > 0) {
        error[0] = '\0';
    }
    json_value* root = parse_value(&p, 0);
    if (root == NULL) {
        return NULL;
    }
    skip_whitespace(&p);
    if (p.pos != p.length) {
        fail(&p, "text after the JSON value");
        json_free(root);
        return NULL;
    }
    return root;
}

void json_free(json_value* value) {
    if (value == NULL) {
        return;
    }
    if (value->type == JSON_ARRAY) {
        for (size_t i = 0; i < value->length; i++) {
            json_free(value->items[i]);
        }
        free(value->items);
    } else if (value->type == JSON_OBJECT) {
        for (size_t i = 0; i < value->length; i++) {
            free(value->members[i].key);
            json_free(value->members[i].value);
        }
        free(value->members);
    }
    free(value->string);
    free(value);
}

const json_value* json_get(const json_value* object, const char* key) {
    if (object == NULL || object->type != JSON_OBJECT) {
        return NULL;
    }
    for (size_t i = 0; i < object->length; i++) {
        if (strcmp(object->members[i].key, key) == 0) {
            return object->members[i].value;
        }
    }
    return NULL;
}

const char* json_type_name(json_type type) {
    switch (type) {
    case JSON_NULL: return "null";
    case JSON_BOOL: return "a boolean";
    case JSON_NUMBER: return "a number";
    case JSON_STRING: return "a string";
    case JSON_ARRAY: return "an array";
    case JSON_OBJECT: return "an object";
    }
    return "?";
}
