// libcrypto (OpenSSL 3) for Swift: the one-shot digest and MAC calls Herald's provider
// signatures need, PEM keys with EVP signatures for the push providers' JWTs (ES256,
// RS256), and AES-256-GCM and keyed HMAC contexts for the store's encryption at rest.
// Nothing else lives in this header.
#include <openssl/evp.h>
#include <openssl/crypto.h>
#include <openssl/pem.h>
#include <openssl/bio.h>
#include <openssl/ecdsa.h>
#include <openssl/bn.h>
#include <openssl/rand.h>
#include <openssl/params.h>
