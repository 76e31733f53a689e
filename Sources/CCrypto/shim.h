// libcrypto (OpenSSL 3) for Swift: the one-shot digest and MAC calls Herald's provider
// signatures need. Nothing else lives in this header.
#include <openssl/evp.h>
#include <openssl/crypto.h>
