/* SHA-256 (FIPS 180-4) in one small file, so that the manifest runners depend on nothing but
 * libc and the installed Pixbridge. sha256_self_test() checks it against the FIPS 180-2 examples
 * before a runner trusts it. */
#ifndef PIXBRIDGE_SHA256_H
#define PIXBRIDGE_SHA256_H

#include <stddef.h>
#include <stdint.h>

#ifdef __cplusplus
extern "C" {
#endif

typedef struct sha256_context {
    uint32_t state[8];
    uint64_t length; /* bytes hashed so far */
    uint8_t block[64];
    size_t used; /* bytes in `block` */
} sha256_context;

void sha256_init(sha256_context* context);
void sha256_update(sha256_context* context, const uint8_t* data, size_t length);
void sha256_final(sha256_context* context, uint8_t digest[32]);

/* The lower-case hex digest of `(data, length)` into `hex` (64 characters and a NUL). */
void sha256_hex(const uint8_t* data, size_t length, char hex[65]);

/* 1 when the implementation reproduces the FIPS 180-2 example digests ("abc", the 448-bit
 * message, a million 'a'), else 0. */
int sha256_self_test(void);

#ifdef __cplusplus
}
#endif

#endif /* PIXBRIDGE_SHA256_H */
