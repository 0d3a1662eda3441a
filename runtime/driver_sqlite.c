/* driver_sqlite.c: the SQLite driver (runtime/driver.h); being written. */
