// libpq (PostgreSQL's client library, Debian's libpq-dev) for Swift: the PostgreSQL store
// (issue 16) talks to the server only through it. Nothing else lives in this header.
#include <postgresql/libpq-fe.h>
