// libmicrohttpd for Swift: Swift cannot call C variadic functions, so the daemon's start
// (with the options Herald sets) and the two info queries it needs get typed wrappers here.
// Nothing else lives in this header.
#include <stdint.h>
#include <sys/socket.h>
#include <microhttpd.h>

/// Starts a daemon on `address` with its own polling thread (epoll where available) and a
/// pool of `threads`, connections that may be suspended while a commit is awaited, bounding connections, idle time and per-connection memory (which caps
/// the request line and headers). No MHD_USE_ERROR_LOG: a malformed request is the client's
/// error and already answered with a 4xx; libmicrohttpd's own lines would only break the
/// key=value log.
static inline struct MHD_Daemon *herald_mhd_start(const struct sockaddr *address, int ipv6, unsigned int threads,
                                                  unsigned int connection_limit, unsigned int timeout_seconds,
                                                  size_t memory_limit, MHD_AccessHandlerCallback handler,
                                                  MHD_RequestCompletedCallback completed, void *context) {
    // libmicrohttpd reads the address as IPv4 unless told otherwise.
    return MHD_start_daemon(MHD_USE_AUTO_INTERNAL_THREAD | MHD_ALLOW_SUSPEND_RESUME | (ipv6 ? MHD_USE_IPv6 : 0), 0, NULL, NULL, handler, context,
                            MHD_OPTION_SOCK_ADDR, address,
                            MHD_OPTION_THREAD_POOL_SIZE, threads,
                            MHD_OPTION_CONNECTION_LIMIT, connection_limit,
                            MHD_OPTION_CONNECTION_TIMEOUT, timeout_seconds,
                            MHD_OPTION_CONNECTION_MEMORY_LIMIT, memory_limit,
                            MHD_OPTION_NOTIFY_COMPLETED, completed, context,
                            MHD_OPTION_END);
}

/// The port the daemon listens on (the one the kernel chose for port 0).
static inline uint16_t herald_mhd_bound_port(struct MHD_Daemon *daemon) {
    const union MHD_DaemonInfo *info = MHD_get_daemon_info(daemon, MHD_DAEMON_INFO_BIND_PORT);
    return info == NULL ? 0 : info->port;
}

/// A request header's value, or NULL.
static inline const char *herald_mhd_header(struct MHD_Connection *connection, const char *name) {
    return MHD_lookup_connection_value(connection, MHD_HEADER_KIND, name);
}

/// The peer's address, or NULL.
static inline const struct sockaddr *herald_mhd_client_address(struct MHD_Connection *connection) {
    const union MHD_ConnectionInfo *info = MHD_get_connection_info(connection, MHD_CONNECTION_INFO_CLIENT_ADDRESS);
    return info == NULL ? NULL : info->client_addr;
}
