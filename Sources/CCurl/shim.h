// libcurl for Swift: Swift cannot call C variadic functions, so each setopt / getinfo
// shape Herald uses gets a typed wrapper here. Nothing else lives in this header.
#define CURL_DISABLE_TYPECHECK 1
#include <curl/curl.h>

typedef size_t (*herald_curl_data_callback)(char *, size_t, size_t, void *);

static inline CURLcode herald_curl_easy_setopt_long(CURL *handle, CURLoption option, long value) {
    return curl_easy_setopt(handle, option, value);
}

static inline CURLcode herald_curl_easy_setopt_string(CURL *handle, CURLoption option, const char *value) {
    return curl_easy_setopt(handle, option, value);
}

static inline CURLcode herald_curl_easy_setopt_pointer(CURL *handle, CURLoption option, void *value) {
    return curl_easy_setopt(handle, option, value);
}

static inline CURLcode herald_curl_easy_setopt_slist(CURL *handle, CURLoption option, struct curl_slist *value) {
    return curl_easy_setopt(handle, option, value);
}

static inline CURLcode herald_curl_easy_setopt_callback(CURL *handle, CURLoption option,
                                                        herald_curl_data_callback callback) {
    return curl_easy_setopt(handle, option, callback);
}

static inline CURLcode herald_curl_easy_getinfo_long(CURL *handle, CURLINFO info, long *value) {
    return curl_easy_getinfo(handle, info, value);
}

static inline CURLcode herald_curl_easy_getinfo_pointer(CURL *handle, CURLINFO info, void **value) {
    return curl_easy_getinfo(handle, info, value);
}

static inline CURLMcode herald_curl_multi_setopt_long(CURLM *handle, CURLMoption option, long value) {
    return curl_multi_setopt(handle, option, value);
}

static inline long herald_curl_global_default(void) { return CURL_GLOBAL_DEFAULT; }
