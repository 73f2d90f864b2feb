// The system SQLite (Debian: libsqlite3-dev), the host's embedded store.
#include <sqlite3.h>
